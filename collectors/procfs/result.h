#pragma once
// Result<T>: the value a reader or parser produced, or why it could not.
// A small stand-in for C++23 std::expected; parse failures are values, never 0.

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace vitals::procfs {

enum class Errc {
  kNotFound,    // the file does not exist (collector not supported by this kernel)
  kVanished,    // a process exited between listing and reading
  kPermission,  // EACCES/EPERM: hidepid, other user's fd/ or io without capability
  kParse,       // the file was read but its content is not what the kernel writes
  kIo,          // any other read failure, a file past the size cap or not a regular file
  kNoData,      // a collector has nothing to report on this host (collector.h's NoData)
};

std::string_view ErrcName(Errc code);

struct Error {
  Errc code;
  std::string path;    // file the error is about, relative to the procfs root
  std::string detail;  // what was wrong, e.g. `field "MemTotal": "12x" is not a number`
  int sys_errno = 0;   // the errno of a failed open or read, 0 otherwise

  std::string ToString() const;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}      // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }

 private:
  Error error_{};
  bool ok_ = true;
};

// A parse error quotes the text it could not read, and the text is whatever
// the file held: keep the quote short and printable, so that a hostile tree
// (a 1 MiB line, binary garbage) cannot turn one failed scrape into a 1 MiB
// log line or a log that is not valid UTF-8. Printable ASCII is kept, other
// bytes become \xNN, and past kMaxDetail bytes the rest is only counted.
inline constexpr std::size_t kMaxErrorDetail = 256;

inline std::string SanitizeDetail(std::string_view detail) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(detail.size() < kMaxErrorDetail ? detail.size() : kMaxErrorDetail + 32);
  std::size_t i = 0;
  for (; i < detail.size() && out.size() < kMaxErrorDetail; ++i) {
    const auto c = static_cast<unsigned char>(detail[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  if (i < detail.size()) {
    out += "... (";
    out += std::to_string(detail.size() - i);
    out += " more bytes)";
  }
  return out;
}

inline Error ParseError(std::string path, std::string_view detail) {
  return Error{Errc::kParse, std::move(path), SanitizeDetail(detail)};
}

// The end of a ReadX(): what ParseX makes of the text read, or the read's error.
template <class Parse>
auto ParseRead(const Result<std::string_view>& text, Parse parse) -> decltype(parse(*text)) {
  if (!text) {
    return text.error();
  }
  return parse(*text);
}

}  // namespace vitals::procfs
