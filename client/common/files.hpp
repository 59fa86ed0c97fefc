// files.hpp: attachments in the browser apps (issue 9), the pure part shared by the widget and the
// inbox (no browser; tested natively in tests/unit_client/files_test.cpp).
//
// - How a file message reads in a transcript (name as a link, type and size in words) and which
//   files are images (shown as images, opened inline; everything else is a download).
// - The uploads a person started: a small queue the app's glue drives. The glue asks for
//   start_next() (an upload to send now, over fetch: POST /api/v1/conversations/{id}/attachments
//   with X-File-Name and Idempotency-Key), and reports the HTTP answer with finished(). A failed
//   upload stays (with its reason in words) until the person retries it (same Idempotency-Key,
//   so a retry after a lost answer stores one message) or discards it: nothing is lost. A
//   successful one disappears: its message arrives over the WebSocket like any other.
//
// The file's bytes never enter the model: `handle` names the browser's File object, which the
// page keeps until the glue releases it (discard or success).
//
// Single-threaded (the browser's main thread), like the models that own it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/linkify.hpp"
#include "parley/model.hpp"

namespace parley::client::files {

// "512 bytes", "1 byte", "48 KB", "1.5 MB" (1 KB = 1024 bytes; one decimal below 10).
std::string format_size(std::uint64_t bytes);
// PNG, JPEG, GIF and WebP: shown as images and opened inline (docs/protocol.md "File messages").
bool is_image(std::string_view content_type);
// "PNG image", "PDF document", "Text file", "Word document", "Excel spreadsheet", "File".
std::string type_label(std::string_view content_type);

// Links in a transcript that open a file carry this scheme: "parley-file:att_..".
inline constexpr std::string_view kLinkScheme = "parley-file:";
// The attachment id of such a link; "" for any other URL.
std::string link_attachment_id(std::string_view url);

// A file message as transcript text: "Screen shot.png\nPNG image · 48 KB", the name a link
// (kLinkScheme + id) so a click, Enter or a screen reader opens it.
struct FileText {
  std::string text;
  std::vector<LinkSpan> links;
};
FileText file_message_text(const AttachmentRef& a);
// For screen readers: "Download Screen shot.png, PNG image, 48 KB".
std::string open_label(const AttachmentRef& a);

// `s` percent-encoded as encodeURIComponent does (the X-File-Name header).
std::string percent_encode(std::string_view s);

// The refusal of an upload in words, from the HTTP status and the relay's error body
// ({"error":{"code","message"}}). status 0 = no answer (network).
std::string refusal_text(int status, std::string_view body);

struct Upload {
  enum class State : std::uint8_t { queued, uploading, failed };
  int id = 0;          // local, 1, 2, ...
  int handle = 0;      // the page's File object
  std::string conversation_id;
  std::string name;
  std::uint64_t size = 0;
  std::string idempotency_key;
  State state = State::queued;
  std::string error;   // failed: why, in words
  int attempts = 0;
};

class Uploads {
 public:
  // A person chose a file for `conversation_id`. `key` is a fresh random id (Idempotency-Key).
  // Returns the upload's id. Queued until start_next().
  int add(int handle, std::string conversation_id, std::string name, std::uint64_t size, std::string key);
  // The next queued upload, now uploading (nullptr when none). One at a time.
  const Upload* start_next();
  // The relay answered (status 0: network failure). 200/201: the upload is removed (true is
  // returned so the glue releases the file); otherwise it fails with refusal_text.
  bool finished(int id, int status, std::string_view body);
  // Failed -> queued again (same key). False when `id` is not a failed upload.
  bool retry(int id);
  // Removes a failed or queued upload; returns its handle (0 when none): the glue releases it.
  int discard(int id);

  const std::vector<Upload>& all() const { return uploads_; }
  const Upload* find(int id) const;
  bool busy() const;  // one is uploading
  // Texts for the screen reader ("Uploading a.png", "a.png was not sent: ..."), taken once.
  std::vector<std::string> take_announcements() { return std::exchange(announcements_, {}); }
  // Moves on every change (for the models' rebuild checks).
  std::uint64_t version() const { return version_; }

  // The outbox key of an upload in a transcript ("upload:3"), and back (0: not an upload key).
  static std::string key_of(int id) { return "upload:" + std::to_string(id); }
  static int id_of(std::string_view key);
  // Transcript text of a pending or failed upload: "a.png (48 KB)\nUploading…" or
  // "a.png (48 KB)\nNot sent: <reason>".
  static std::string item_text(const Upload& u);

 private:
  Upload* get(int id);
  std::vector<Upload> uploads_;
  std::vector<std::string> announcements_;
  int next_id_ = 1;
  std::uint64_t version_ = 0;
};

}  // namespace parley::client::files
