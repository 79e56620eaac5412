#pragma once
// TempTree: a private directory under $TMPDIR that unit tests fill with small
// /proc-like files, removed (with its permissions restored) when it goes.

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace vitals::testing {

class TempTree {
 public:
  TempTree() {
    std::string pattern = (std::filesystem::temp_directory_path() / "vitals-unit-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed for " + pattern);
    }
    root_ = pattern;
  }
  ~TempTree() {
    std::error_code ec;
    // A test may have chmod'ed entries to 000; make everything removable first.
    for (auto it = std::filesystem::recursive_directory_iterator(
             root_, std::filesystem::directory_options::skip_permission_denied, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::add, ec);
    }
    std::filesystem::remove_all(root_, ec);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  const std::filesystem::path& path() const { return root_; }

  // Writes `content` to `relative` (parents created), replacing any old file.
  void Write(std::string_view relative, std::string_view content) const {
    std::filesystem::path file = root_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) {
      throw std::runtime_error("cannot write " + file.string());
    }
  }
  void Mkdir(std::string_view relative) const {
    std::filesystem::create_directories(root_ / relative);
  }
  void Remove(std::string_view relative) const { std::filesystem::remove_all(root_ / relative); }
  // A symbolic link at `relative` (parents created) to `target`, as written.
  void Symlink(std::string_view relative, const std::filesystem::path& target) const {
    std::filesystem::path link = root_ / relative;
    std::filesystem::create_directories(link.parent_path());
    std::filesystem::create_symlink(target, link);
  }

 private:
  std::filesystem::path root_;
};

}  // namespace vitals::testing
