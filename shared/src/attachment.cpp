// parley/attachment.hpp: file types by their bytes, the upload policy, safe names.
#include "parley/attachment.hpp"

#include <algorithm>
#include <cstring>

#include "parley/text.hpp"

namespace parley {

namespace {

bool starts(std::string_view b, std::string_view magic) { return b.size() >= magic.size() && b.substr(0, magic.size()) == magic; }

std::uint32_t le16(std::string_view b, std::size_t at) {
  return static_cast<std::uint8_t>(b[at]) | (static_cast<std::uint32_t>(static_cast<std::uint8_t>(b[at + 1])) << 8);
}

// A ZIP whose first local file header names an Office part: "[Content_Types].xml" or a
// "word/" / "xl/" entry. Office writers put [Content_Types].xml first; then the type is told by
// the first part folder named within the first 2 KB (each local header carries its name).
FileType sniff_zip(std::string_view b) {
  if (!starts(b, std::string_view("PK\x03\x04", 4)) || b.size() < 30) return FileType::unknown;
  const std::size_t name_len = le16(b, 26);
  if (30 + name_len > b.size()) return FileType::unknown;
  const std::string_view first = b.substr(30, name_len);
  if (first != "[Content_Types].xml" && !first.starts_with("word/") && !first.starts_with("xl/") &&
      !first.starts_with("_rels/") && !first.starts_with("docProps/")) {
    return FileType::unknown;
  }
  const std::string_view head = b.substr(0, std::min<std::size_t>(b.size(), 64 * 1024));
  const std::size_t w = head.find("word/"), x = head.find("xl/");
  if (w == std::string_view::npos && x == std::string_view::npos) return FileType::unknown;
  if (x == std::string_view::npos || (w != std::string_view::npos && w < x)) return FileType::docx;
  return FileType::xlsx;
}

bool is_text(std::string_view b) {
  if (starts(b, "\xEF\xBB\xBF")) b.remove_prefix(3);
  if (b.empty()) return false;
  for (const char ch : b) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') return false;
    if (c == 0x7F) return false;
  }
  return is_valid_utf8(b);
}

}  // namespace

std::string_view content_type_of(FileType t) {
  if (t == FileType::text) return "text/plain; charset=utf-8";
  return mime_of(t);
}

std::string_view mime_of(FileType t) {
  switch (t) {
    case FileType::png: return "image/png";
    case FileType::jpeg: return "image/jpeg";
    case FileType::gif: return "image/gif";
    case FileType::webp: return "image/webp";
    case FileType::pdf: return "application/pdf";
    case FileType::text: return "text/plain";
    case FileType::docx: return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    case FileType::xlsx: return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    case FileType::unknown: break;
  }
  return "application/octet-stream";
}

std::optional<FileType> parse_mime(std::string_view mime) {
  for (FileType t : {FileType::png, FileType::jpeg, FileType::gif, FileType::webp, FileType::pdf, FileType::text,
                     FileType::docx, FileType::xlsx}) {
    if (iequals_ascii(mime, mime_of(t))) return t;
  }
  return std::nullopt;
}

std::string_view extension_of(FileType t) {
  switch (t) {
    case FileType::png: return ".png";
    case FileType::jpeg: return ".jpg";
    case FileType::gif: return ".gif";
    case FileType::webp: return ".webp";
    case FileType::pdf: return ".pdf";
    case FileType::text: return ".txt";
    case FileType::docx: return ".docx";
    case FileType::xlsx: return ".xlsx";
    case FileType::unknown: break;
  }
  return "";
}

bool is_image(FileType t) {
  return t == FileType::png || t == FileType::jpeg || t == FileType::gif || t == FileType::webp;
}

bool is_inline_image(std::string_view content_type) {
  const auto t = parse_mime(trim(content_type.substr(0, content_type.find(';'))));
  return t && is_image(*t);
}

FileType sniff_file_type(std::string_view b) {
  if (starts(b, std::string_view("\x89PNG\r\n\x1a\n", 8))) return FileType::png;
  if (starts(b, "\xFF\xD8\xFF")) return FileType::jpeg;
  if (starts(b, "GIF87a") || starts(b, "GIF89a")) return FileType::gif;
  if (b.size() >= 12 && starts(b, "RIFF") && b.substr(8, 4) == "WEBP") return FileType::webp;
  if (starts(b, "%PDF-")) return FileType::pdf;
  if (starts(b, "PK")) return sniff_zip(b);
  if (is_text(b)) return FileType::text;
  return FileType::unknown;
}

bool valid_allow_list(const std::vector<std::string>& types, std::string* bad) {
  for (const std::string& s : types) {
    if (s == "image/*" || parse_mime(s)) continue;
    if (bad) *bad = s;
    return false;
  }
  return true;
}

bool allows(const AttachmentPolicy& policy, FileType t) {
  if (t == FileType::unknown) return false;
  for (const std::string& s : policy.allowed_types) {
    if (s == "image/*" && is_image(t)) return true;
    if (iequals_ascii(s, mime_of(t))) return true;
  }
  return false;
}

std::string_view to_string(UploadRefusal r) {
  switch (r) {
    case UploadRefusal::empty: return "empty_file";
    case UploadRefusal::too_large: return "file_too_large";
    case UploadRefusal::unknown_type: return "unknown_file_type";
    case UploadRefusal::type_not_allowed: return "file_type_not_allowed";
  }
  return "unknown_file_type";
}

UploadCheck check_upload(const AttachmentPolicy& policy, std::string_view bytes) {
  UploadCheck out;
  auto refuse = [&](UploadRefusal r, std::string msg) {
    out.refusal = r;
    out.message = std::move(msg);
    return out;
  };
  if (bytes.empty()) return refuse(UploadRefusal::empty, "the file is empty");
  if (bytes.size() > policy.max_bytes) {
    return refuse(UploadRefusal::too_large, "the file is larger than the limit of " +
                                                std::to_string(policy.max_bytes) + " bytes");
  }
  const FileType t = sniff_file_type(bytes);
  if (t == FileType::unknown) {
    return refuse(UploadRefusal::unknown_type,
                  "the file's content is not a type that can be shared here (images, PDF, text, ...)");
  }
  if (!allows(policy, t)) {
    return refuse(UploadRefusal::type_not_allowed,
                  "files of type " + std::string(mime_of(t)) + " are not allowed here");
  }
  out.type = t;
  return out;
}

std::string clean_file_name(std::string_view name, std::string_view fallback) {
  const std::size_t slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  std::string out;
  out.reserve(name.size());
  std::size_t i = 0;
  while (i < name.size()) {
    const auto c = static_cast<unsigned char>(name[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > name.size() || !is_valid_utf8(name.substr(i, len))) {
      out += '_';
      ++i;
      continue;
    }
    if (len == 1) {
      if (c < 0x20 || c == 0x7F || c == '"' || c == '\\' || c == ';') {
        ++i;
        continue;
      }
    }
    if (out.size() + len > 200) break;
    out.append(name.substr(i, len));
    i += len;
  }
  const std::string_view t = [&] {
    std::string_view v = out;
    while (!v.empty() && (v.front() == ' ' || v.front() == '.')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '.')) v.remove_suffix(1);
    return v;
  }();
  if (t.empty()) return std::string(fallback);
  return std::string(t);
}

}  // namespace parley
