// relay/src/app/attachments/file_store.cpp: see file_store.hpp.
#include "app/attachments/file_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "store/auth.hpp"

namespace parley::relay {

namespace {

Error io_error(const std::string& what, int err) {
  return make_error(ErrorCode::unavailable, what + ": " + std::strerror(err));
}

std::optional<Error> fsync_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("open " + dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return io_error("fsync " + dir, err);
  return std::nullopt;
}

std::optional<Error> make_dir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return io_error("mkdir " + dir, errno);
  return std::nullopt;
}

}  // namespace

bool FileStore::valid_name(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string FileStore::path_of(const std::string& sha256) const {
  return root_ + "/" + sha256.substr(0, 2) + "/" + sha256;
}

Result<std::string> FileStore::put(std::string_view bytes) const {
  const std::string sha = sha256_hex(bytes);
  const std::string dir = root_ + "/" + sha.substr(0, 2);
  const std::string path = dir + "/" + sha;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && static_cast<std::uint64_t>(st.st_size) == bytes.size()) {
    return sha;  // the same bytes are already stored (content-addressed)
  }
  if (auto e = make_dir(root_)) return *e;
  if (auto e = make_dir(dir)) return *e;
  const std::string tmp = dir + "/.tmp-" + random_token(8);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("create " + tmp, errno);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return io_error("write " + tmp, err);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return io_error("fsync " + tmp, err);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return io_error("rename " + tmp, err);
  }
  if (auto e = fsync_dir(dir)) return *e;
  if (auto e = fsync_dir(root_)) return *e;
  return sha;
}

Result<std::string> FileStore::read(const std::string& sha256) const {
  if (!valid_name(sha256)) return make_error(ErrorCode::not_found, "no such file");
  const std::string path = path_of(sha256);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return make_error(ErrorCode::not_found, "the file's bytes are missing");
    return io_error("open " + path, errno);
  }
  std::string out;
  char buf[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return io_error("read " + path, err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (sha256_hex(out) != sha256) return make_error(ErrorCode::internal, "stored file " + sha256 + " is corrupt");
  return out;
}

Result<std::vector<std::string>> FileStore::list() const {
  std::vector<std::string> out;
  std::error_code ec;
  if (!std::filesystem::exists(root_, ec)) return out;
  for (auto it = std::filesystem::recursive_directory_iterator(root_, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string name = it->path().filename().string();
    if (valid_name(name)) out.push_back(name);
  }
  if (ec) return make_error(ErrorCode::unavailable, "list " + root_ + ": " + ec.message());
  return out;
}

}  // namespace parley::relay
