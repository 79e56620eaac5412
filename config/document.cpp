#include "config/document.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <utility>
#include <vector>

namespace vitals::config {

namespace {

using nlohmann::json;

std::string Limit() {
  return std::to_string(kMaxFileBytes) + " bytes (" +
         std::to_string(kMaxFileBytes / (1024 * 1024)) + " MiB)";
}

std::string OverLimit(std::string_view what, std::uint64_t size) {
  return std::string(what) + " is " + std::to_string(size) + " bytes, over the limit of " +
         Limit();
}

std::string ErrnoText() { return std::error_code(errno, std::generic_category()).message(); }

// Builds the document like nlohmann's own DOM parser, and also stops past
// kMaxDepth and reports duplicate keys with their pointers.
class BoundedBuilder final : public nlohmann::json_sax<json> {
 public:
  BoundedBuilder(json* root, std::vector<Problem>* problems)
      : root_(root), problems_(problems) {}

  bool null() override { return Value(nullptr); }
  bool boolean(bool v) override { return Value(v); }
  bool number_integer(number_integer_t v) override { return Value(v); }
  bool number_unsigned(number_unsigned_t v) override { return Value(v); }
  bool number_float(number_float_t v, const string_t&) override { return Value(v); }
  bool string(string_t& v) override { return Value(std::move(v)); }
  bool binary(binary_t& v) override { return Value(json::binary(std::move(v))); }

  bool start_object(std::size_t) override { return Open(json::object()); }
  bool start_array(std::size_t) override { return Open(json::array()); }
  bool end_object() override { return Close(); }
  bool end_array() override { return Close(); }

  bool key(string_t& k) override {
    Container& object = open_.back();
    if (object.value->contains(k)) {
      problems_->push_back(
          {object.pointer + "/" + PointerToken(k), "duplicate key \"" + k + "\""});
    }
    object.key = std::move(k);
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    // A syntax error, or a number past a double (out_of_range 406).
    problems_->push_back({"", std::string("invalid JSON: ") + e.what()});
    return false;
  }

 private:
  struct Container {
    json* value;          // an object or array being filled; its parent does not grow meanwhile
    std::string pointer;  // its JSON pointer
    std::string key;      // an object's key for the next value
  };

  // Where the next value goes: the root, the end of the open array, or the
  // open object's current key.
  json& Slot() {
    if (open_.empty()) {
      return *root_;
    }
    Container& parent = open_.back();
    if (parent.value->is_array()) {
      return parent.value->emplace_back();
    }
    return (*parent.value)[parent.key];
  }

  std::string NextPointer() const {
    if (open_.empty()) {
      return "";
    }
    const Container& parent = open_.back();
    return parent.pointer + "/" +
           (parent.value->is_array() ? std::to_string(parent.value->size())
                                     : PointerToken(parent.key));
  }

  bool Value(json v) {
    Slot() = std::move(v);
    return true;
  }

  bool Open(json container) {
    std::string pointer = NextPointer();
    if (open_.size() >= kMaxDepth) {
      problems_->push_back({std::move(pointer), "objects and arrays nested deeper than " +
                                                    std::to_string(kMaxDepth) +
                                                    " levels (the limit)"});
      return false;
    }
    json& slot = Slot();
    slot = std::move(container);
    open_.push_back({&slot, std::move(pointer), {}});
    return true;
  }

  bool Close() {
    open_.pop_back();
    return true;
  }

  json* root_;
  std::vector<Problem>* problems_;
  std::vector<Container> open_;
};

}  // namespace

std::string ReadFile(const std::filesystem::path& path) {
  auto fail = [&](std::string message) {
    throw ConfigError(path.string(), {{"", std::move(message)}});
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    fail("cannot open the file for reading: " + ErrnoText());
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    fail("cannot stat the file: " + ErrnoText());
  }
  if (!S_ISREG(st.st_mode)) {
    fail("not a regular file (a config is read from a regular file only)");
  }
  if (static_cast<std::uint64_t>(st.st_size) > kMaxFileBytes) {
    fail(OverLimit("the file", static_cast<std::uint64_t>(st.st_size)) + "; not read");
  }
  // One byte more than fstat said, to see a file that grew meanwhile.
  std::string text(static_cast<std::size_t>(st.st_size) + 1, '\0');
  std::size_t used = 0;
  while (true) {
    if (used == text.size()) {
      if (text.size() > kMaxFileBytes) {
        fail("the file grew past the limit of " + Limit() + " while it was read");
      }
      text.resize(std::min(2 * text.size(), kMaxFileBytes + 1));
    }
    const ssize_t n = ::read(fd, text.data() + used, text.size() - used);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      fail("error while reading the file: " + ErrnoText());
    }
    if (n == 0) {
      break;
    }
    used += static_cast<std::size_t>(n);
  }
  text.resize(used);
  return text;
}

json ParseJson(std::string_view text, std::string_view source) {
  std::vector<Problem> problems;
  json doc;
  if (text.size() > kMaxFileBytes) {
    problems.push_back({"", OverLimit("the document", text.size())});
  } else {
    BoundedBuilder builder(&doc, &problems);
    json::sax_parse(text, &builder);
  }
  if (!problems.empty()) {
    throw ConfigError(std::string(source), std::move(problems));
  }
  return doc;
}

}  // namespace vitals::config
