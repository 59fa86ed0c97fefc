// relay/src/net/static_files.hpp: serving the web/ folder (pages, the WASM apps, fonts).
#pragma once

#include <optional>
#include <string>

#include "net/server.hpp"

namespace parley::relay {

// Serves GET/HEAD `req.path` from the folder `root`:
// - "/" and directories map to their index.html; the resolved file must stay inside root after
//   canonicalization (symlinks included); paths with "..", NUL, or a hidden segment (".git",
//   ".env") are refused;
// - Content-Type by extension; Cache-Control "no-cache" (revalidate with the ETag) except for
//   content-hashed names ("app.3f9a2b1c.js": a dot-separated part of 8+ hex digits), which get
//   "public, max-age=31536000, immutable"; .html is always "no-cache";
// - precompressed siblings: "file.br" when Accept-Encoding allows br, else "file.gz" for gzip,
//   with Content-Encoding; every response carries "Vary: Accept-Encoding";
// - ETag from the served file's size and mtime; a matching If-None-Match gives 304.
// The body of a HEAD response is left empty (the server writes the headers only). The file is read
// whole (the web assets are small). Returns nullopt when there is nothing to serve (not found,
// refused, other methods): the caller answers 404/405.
std::optional<HttpResponse> serve_static(const std::string& root, const HttpRequest& req);

// Exposed for tests.
std::string content_type_for(const std::string& filename);
bool has_content_hash(const std::string& filename);
// Whether an Accept-Encoding header allows `coding` ("br", "gzip"): listed (or "*") with q > 0.
bool accepts_encoding(const std::string& accept_encoding, const std::string& coding);

}  // namespace parley::relay
