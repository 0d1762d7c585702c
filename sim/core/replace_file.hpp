#pragma once
// Replacing a file's content so that whoever reads it, or a crash or kill at any moment, finds the
// old content or the new in full, never a part: a truncating write in place leaves a half-written
// file when the process stops midway (a checkpoint, a regenerated doc page).
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

namespace stampede {

// Writes `bytes` to `path` through a temporary file beside it (`path` + ".tmp", on the same
// file system, so the rename is atomic) and renames it over `path`, which keeps its permissions.
// Returns "" or what failed; on failure `path` is untouched and the temporary file removed.
inline std::string replace_file(const std::filesystem::path& path, std::string_view bytes) {
  const std::filesystem::path tmp = path.parent_path() / (path.filename().string() + ".tmp");
  std::error_code ec;
  {
    std::ofstream o(tmp, std::ios::binary | std::ios::trunc);
    o.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    o.flush();
    if (!o) {
      std::filesystem::remove(tmp, ec);
      return "cannot write '" + tmp.string() + "'";
    }
  }
  const std::filesystem::file_status old = std::filesystem::status(path, ec);
  if (!ec && std::filesystem::exists(old)) std::filesystem::permissions(tmp, old.permissions(), ec);
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::string why = "cannot rename '" + tmp.string() + "': " + ec.message();
    std::filesystem::remove(tmp, ec);
    return why;
  }
  return "";
}

}   // namespace stampede
