// parley/attachment.hpp: the pure rules of file attachments (docs/architecture.md "Attachments").
//
// Pure (rule 1): no files, no clock. The relay calls these on the bytes of an upload before it
// stores anything; the widget and the inbox use is_inline_image() to decide between showing an
// image and offering a download link.
//
//  - sniff_file_type() decides a file's type by its BYTES (magic numbers), never by its name or
//    by the type the uploader claims: PNG, JPEG, GIF, WebP, PDF, DOCX/XLSX (a ZIP whose first
//    entry names the Office part), and plain text (valid UTF-8, no NUL or C0 control characters
//    other than tab, CR, LF, FF; an optional UTF-8 BOM). Anything else is FileType::unknown.
//  - check_upload() applies a tenant's AttachmentPolicy (allow-list of content types, size
//    limit) and returns the type, or an UploadRefusal with a stable reason and a message for people.
//  - clean_file_name() makes an uploader's name safe to store and to put in a
//    Content-Disposition header (no path, no control characters, no quotes, bounded length).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace parley {

enum class FileType { png, jpeg, gif, webp, pdf, text, docx, xlsx, unknown };

// The MIME type a file of this type is stored and served as ("image/png", ...,
// "text/plain; charset=utf-8"; unknown: "application/octet-stream").
std::string_view content_type_of(FileType);
// The allow-list name of a type: the MIME type without parameters ("text/plain").
std::string_view mime_of(FileType);
// The type named by a MIME type without parameters; nullopt when Parley does not know it.
std::optional<FileType> parse_mime(std::string_view mime);
// The usual file extension (".png", ".jpg", ..., ".txt"; unknown: "").
std::string_view extension_of(FileType);
bool is_image(FileType);  // png, jpeg, gif, webp: shown inline; everything else is a download
bool is_inline_image(std::string_view content_type);  // the same, by a stored content type

// The type of `bytes`, by content. The text check reads every byte (invalid UTF-8 anywhere means
// "not text"); the binary checks read at most the first few hundred bytes.
FileType sniff_file_type(std::string_view bytes);

// A tenant's rules for uploads (tenant settings "attachments").
struct AttachmentPolicy {
  // Allowed MIME types without parameters; "image/*" allows every image type Parley knows.
  std::vector<std::string> allowed_types = {"image/*", "application/pdf", "text/plain"};
  std::uint64_t max_bytes = 10ull * 1024 * 1024;  // 10 MB
};
// True when every entry of the list is a known MIME type or "image/*" (for settings validation).
bool valid_allow_list(const std::vector<std::string>& types, std::string* bad = nullptr);
bool allows(const AttachmentPolicy& policy, FileType t);

// Why an upload is refused. Stable wire names (docs/api.md "Attachments").
enum class UploadRefusal {
  empty,             // "empty_file": no bytes
  too_large,         // "file_too_large": over policy.max_bytes
  unknown_type,      // "unknown_file_type": the bytes match no type Parley knows
  type_not_allowed,  // "file_type_not_allowed": a known type the tenant does not allow
};
std::string_view to_string(UploadRefusal);

struct UploadCheck {
  std::optional<FileType> type;            // set when accepted
  std::optional<UploadRefusal> refusal;    // set when refused
  std::string message;                     // for people, when refused
};
// Size first (without reading the bytes), then the type by content, then the allow-list.
UploadCheck check_upload(const AttachmentPolicy& policy, std::string_view bytes);

// A storable name: the last path component (after / or \), control characters, quotes and
// backslashes removed, surrounding spaces and dots trimmed, at most 200 bytes (cut at a UTF-8
// character boundary); invalid UTF-8 becomes '_'. "" (or nothing left) becomes `fallback`.
std::string clean_file_name(std::string_view name, std::string_view fallback = "file");

}  // namespace parley
