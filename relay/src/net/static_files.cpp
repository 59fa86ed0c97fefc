// relay/src/net/static_files.cpp: see static_files.hpp.
#include "net/static_files.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "net/http_util.hpp"
#include "parley/text.hpp"

namespace parley::relay {

namespace fs = std::filesystem;

namespace {

constexpr std::uintmax_t kMaxFileBytes = 256u * 1024 * 1024;  // sanity bound for "read whole"

std::string extension_of(const std::string& filename) {
  auto dot = filename.rfind('.');
  if (dot == std::string::npos) return {};
  return ascii_lower(std::string_view(filename).substr(dot + 1));
}

bool is_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

struct FileInfo {
  std::uintmax_t size = 0;
  std::int64_t mtime_ns = 0;
};

std::optional<FileInfo> regular_file_info(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return FileInfo{static_cast<std::uintmax_t>(st.st_size),
                  static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

std::optional<std::string> read_file(const fs::path& p, std::uintmax_t expected) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::string data;
  data.resize(expected);
  in.read(data.data(), static_cast<std::streamsize>(expected));
  data.resize(static_cast<std::size_t>(in.gcount()));
  return data;
}

// Strips W/ and compares opaque tags; "*" matches anything.
bool etag_matches(std::string_view if_none_match, const std::string& etag) {
  std::string_view tag = etag;
  if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
  while (!if_none_match.empty()) {
    auto comma = if_none_match.find(',');
    auto item = http_util::trim(if_none_match.substr(0, comma));
    if (item == "*") return true;
    if (item.substr(0, 2) == "W/") item.remove_prefix(2);
    if (item == tag) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

bool is_within(const fs::path& root, const fs::path& p) {
  auto r = root.begin(), q = p.begin();
  for (; r != root.end(); ++r, ++q) {
    if (r->empty()) continue;  // trailing "/" of root
    if (q == p.end() || *r != *q) return false;
  }
  return true;
}

}  // namespace

std::string content_type_for(const std::string& filename) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"wasm", "application/wasm"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"ico", "image/x-icon"},
      {"ttf", "font/ttf"},
      {"woff2", "font/woff2"},
      {"txt", "text/plain; charset=utf-8"},
  };
  std::string ext = extension_of(filename);
  for (const auto& [e, type] : kTypes)
    if (ext == e) return std::string(type);
  return "application/octet-stream";
}

bool has_content_hash(const std::string& filename) {
  // name.<8+ hex>.ext (also name.<hash>.min.js): a dot-separated part that is neither the first
  // nor the last, made of 8 or more hex digits.
  std::string_view s = filename;
  auto first = s.find('.');
  if (first == std::string_view::npos) return false;
  s.remove_prefix(first + 1);
  while (true) {
    auto dot = s.find('.');
    if (dot == std::string_view::npos) return false;  // `s` is the extension
    auto part = s.substr(0, dot);
    if (part.size() >= 8 && is_hex(part)) return true;
    s.remove_prefix(dot + 1);
  }
}

bool accepts_encoding(const std::string& accept_encoding, const std::string& coding) {
  // e.g. "gzip, deflate, br;q=0.9, *;q=0". An explicit entry wins over "*".
  std::optional<bool> exact, wildcard;
  std::string_view rest = accept_encoding;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto item = http_util::trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    auto semi = item.find(';');
    std::string name = ascii_lower(http_util::trim(item.substr(0, semi)));
    bool allowed = true;
    if (semi != std::string_view::npos) {
      std::string params = ascii_lower(item.substr(semi + 1));
      auto q = params.find("q=");
      if (q != std::string::npos) {
        double v = std::strtod(params.c_str() + q + 2, nullptr);
        allowed = v > 0;
      }
    }
    if (name == coding)
      exact = allowed;
    else if (name == "*")
      wildcard = allowed;
  }
  if (exact) return *exact;
  return wildcard.value_or(false);
}

std::optional<HttpResponse> serve_static(const std::string& root, const HttpRequest& req) {
  if (req.method != "GET" && req.method != "HEAD") return std::nullopt;
  const std::string& path = req.path;
  if (path.empty() || path.front() != '/' || path.find('\0') != std::string::npos ||
      path.find('\\') != std::string::npos)
    return std::nullopt;

  // Relative path, segment by segment: no "..", no ".", no hidden files.
  fs::path rel;
  std::string_view rest = std::string_view(path).substr(1);
  while (!rest.empty()) {
    auto slash = rest.find('/');
    auto seg = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (seg.empty()) continue;
    if (seg.front() == '.') return std::nullopt;
    rel /= std::string(seg);
  }

  std::error_code ec;
  fs::path root_canon = fs::canonical(root, ec);
  if (ec) return std::nullopt;
  fs::path target = fs::canonical(root_canon / rel, ec);
  if (ec || !is_within(root_canon, target)) return std::nullopt;
  if (fs::is_directory(target, ec)) {
    target = fs::canonical(target / "index.html", ec);
    if (ec || !is_within(root_canon, target)) return std::nullopt;
  } else if (path.back() == '/') {
    return std::nullopt;  // "/file.js/" is not a directory
  }
  auto info = regular_file_info(target);
  if (!info) return std::nullopt;

  const std::string name = target.filename().string();
  HttpResponse res;
  res.content_type = content_type_for(name);
  std::string cache = "no-cache";
  if (extension_of(name) != "html" && extension_of(name) != "htm" && has_content_hash(name))
    cache = "public, max-age=31536000, immutable";

  // Precompressed variant (must itself stay inside root).
  fs::path served = target;
  std::string encoding;
  const std::string& ae = req.header("accept-encoding");
  for (const char* coding : {"br", "gzip"}) {
    if (!accepts_encoding(ae, coding)) continue;
    fs::path variant = target;
    variant += std::string(".") + (std::string_view(coding) == "br" ? "br" : "gz");
    fs::path variant_canon = fs::canonical(variant, ec);
    if (ec || !is_within(root_canon, variant_canon)) continue;
    if (auto vinfo = regular_file_info(variant_canon)) {
      served = variant_canon;
      info = vinfo;
      encoding = coding;
      break;
    }
  }
  if (info->size > kMaxFileBytes) return std::nullopt;

  char etag_buf[64];
  std::snprintf(etag_buf, sizeof etag_buf, "\"%jx-%jx%s%s\"", static_cast<std::uintmax_t>(info->size),
                static_cast<std::uintmax_t>(info->mtime_ns), encoding.empty() ? "" : "-", encoding.c_str());
  std::string etag = etag_buf;

  res.headers.emplace_back("Cache-Control", cache);
  res.headers.emplace_back("Vary", "Accept-Encoding");
  res.headers.emplace_back("ETag", etag);
  if (!encoding.empty()) res.headers.emplace_back("Content-Encoding", encoding);

  const std::string& inm = req.header("if-none-match");
  if (!inm.empty() && etag_matches(inm, etag)) {
    res.status = 304;
    return res;
  }
  if (req.method == "HEAD") {
    // The server sets Content-Length from the body it would send: tell it the real size.
    res.headers.emplace_back("Content-Length", std::to_string(info->size));
    return res;
  }
  auto data = read_file(served, info->size);
  if (!data) return std::nullopt;
  res.body = std::move(*data);
  return res;
}

}  // namespace parley::relay
