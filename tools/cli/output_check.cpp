#include "output_check.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

namespace stampede::cli {

namespace fs = std::filesystem;

namespace {

fs::path shown(const fs::path& p) { return p.empty() ? fs::path(".") : p; }

bool writable_dir(const fs::path& dir, std::string& why) {
  std::error_code ec;
  const fs::path d = shown(dir);
  if (!fs::is_directory(d, ec)) {
    why = fmt::format("'{}' is not a directory", d.string());   // "'" + ...: a false -Wrestrict in gcc 12
    return false;
  }
  if (::access(d.c_str(), W_OK | X_OK) != 0) {
    why = "directory '" + d.string() + "' is not writable (" + std::strerror(errno) + ")";
    return false;
  }
  // access() says yes to root everywhere and knows nothing of read-only mounts: create and
  // remove a probe file.
  const fs::path probe = d / (".stampede-write-probe-" + std::to_string(::getpid()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    why = "cannot create files in directory '" + d.string() + "' (" + std::strerror(errno) + ")";
    return false;
  }
  ::close(fd);
  ::unlink(probe.c_str());
  return true;
}

// The nearest ancestor of `p` that exists (p itself if it does).
fs::path existing_ancestor(fs::path p) {
  std::error_code ec;
  p = fs::absolute(p, ec);
  while (!p.empty() && !fs::exists(p, ec) && p.has_parent_path() && p.parent_path() != p) p = p.parent_path();
  return p;
}

}  // namespace

std::vector<std::string> output_file_problems(const fs::path& file, bool create_parent, const std::string& option) {
  std::vector<std::string> out;
  std::error_code ec;
  const std::string what = option + " " + file.string() + ": ";
  if (file.empty() || file.filename().empty()) {
    out.push_back(what + "not a file name");
    return out;
  }
  if (fs::is_directory(file, ec)) {
    out.push_back(what + "is a directory; give the run log's file name, e.g. " + (file / "run.h5").string());
    return out;
  }
  const fs::path parent = file.parent_path();
  std::string why;
  if (!parent.empty() && !fs::exists(parent, ec)) {
    if (!create_parent) {
      out.push_back(what + "directory '" + parent.string() + "' does not exist (create it first)");
      return out;
    }
    if (!writable_dir(existing_ancestor(parent), why)) out.push_back(what + "cannot create directory '" + parent.string() + "': " + why);
    return out;
  }
  if (!writable_dir(parent, why)) {
    out.push_back(what + why);
    return out;
  }
  if (fs::exists(file, ec) && ::access(file.c_str(), W_OK) != 0)
    out.push_back(what + "exists and cannot be replaced (" + std::strerror(errno) + ")");
  return out;
}

std::vector<std::string> output_dir_problems(const fs::path& dir, const std::string& option) {
  std::vector<std::string> out;
  if (dir.empty()) return out;
  std::error_code ec;
  std::string why;
  if (fs::exists(dir, ec)) {
    if (!writable_dir(dir, why)) out.push_back(option + " " + dir.string() + ": " + why);
  } else if (!writable_dir(existing_ancestor(dir), why)) {
    out.push_back(option + " " + dir.string() + ": cannot create it: " + why);
  }
  return out;
}

}  // namespace stampede::cli
