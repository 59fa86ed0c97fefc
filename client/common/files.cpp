#include "common/files.hpp"

#include <algorithm>
#include <cstdio>

namespace parley::client::files {

std::string format_size(std::uint64_t bytes) {
  if (bytes == 1) return "1 byte";
  if (bytes < 1024) return std::to_string(bytes) + " bytes";
  static const char* const kUnits[] = {"KB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes) / 1024.0;
  std::size_t u = 0;
  while (v >= 1024.0 && u + 1 < std::size(kUnits)) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  if (v < 10.0)
    std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[u]);
  else
    std::snprintf(buf, sizeof buf, "%.0f %s", v, kUnits[u]);
  return buf;
}

namespace {
std::string_view base_type(std::string_view content_type) {
  const std::size_t semi = content_type.find(';');
  if (semi != std::string_view::npos) content_type = content_type.substr(0, semi);
  while (!content_type.empty() && content_type.back() == ' ') content_type.remove_suffix(1);
  return content_type;
}
}  // namespace

bool is_image(std::string_view content_type) {
  const std::string_view t = base_type(content_type);
  return t == "image/png" || t == "image/jpeg" || t == "image/gif" || t == "image/webp";
}

std::string type_label(std::string_view content_type) {
  const std::string_view t = base_type(content_type);
  if (t == "image/png") return "PNG image";
  if (t == "image/jpeg") return "JPEG image";
  if (t == "image/gif") return "GIF image";
  if (t == "image/webp") return "WebP image";
  if (t == "application/pdf") return "PDF document";
  if (t == "text/plain") return "Text file";
  if (t == "application/vnd.openxmlformats-officedocument.wordprocessingml.document") return "Word document";
  if (t == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") return "Excel spreadsheet";
  return "File";
}

std::string link_attachment_id(std::string_view url) {
  if (!url.starts_with(kLinkScheme)) return {};
  const std::string_view id = url.substr(kLinkScheme.size());
  if (id.empty() || id.size() > 100) return {};
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return {};
  }
  return std::string(id);
}

FileText file_message_text(const AttachmentRef& a) {
  FileText out;
  const std::string name = a.name.empty() ? std::string("file") : a.name;
  out.text = name + "\n" + type_label(a.content_type) + " \u00b7 " + format_size(a.size);
  out.links.push_back(LinkSpan{0, static_cast<std::uint32_t>(name.size()), std::string(kLinkScheme) + a.id});
  return out;
}

std::string open_label(const AttachmentRef& a) {
  return "Download " + (a.name.empty() ? std::string("file") : a.name) + ", " + type_label(a.content_type) + ", " +
         format_size(a.size);
}

std::string percent_encode(std::string_view s) {
  static const char* const kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.' || c == '!' || c == '~' || c == '*' || c == '\'' || c == '(' || c == ')';
    if (keep) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string refusal_text(int status, std::string_view body) {
  std::string code, message;
  const Json j = Json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const Json& e = j["error"];
    if (e.contains("code") && e["code"].is_string()) code = e["code"].get<std::string>();
    if (e.contains("message") && e["message"].is_string()) message = e["message"].get<std::string>();
  }
  if (status == 0) return "there is no connection. Try again when you are back online.";
  if (status == 413) {
    // "the file is larger than the limit of N bytes": the limit in words.
    const std::size_t at = message.find("limit of ");
    if (at != std::string::npos) {
      std::uint64_t n = 0;
      bool digits = false;
      for (std::size_t i = at + 9; i < message.size() && message[i] >= '0' && message[i] <= '9'; ++i) {
        n = n * 10 + static_cast<std::uint64_t>(message[i] - '0');
        digits = true;
      }
      if (digits) return "the file is too large (the limit is " + format_size(n) + ").";
    }
    return "the file is too large.";
  }
  if (status == 415) {
    if (code == "file_type_not_allowed") return "files of this type are not accepted here.";
    return "this kind of file cannot be sent here (images, PDF and text files can).";
  }
  if (status == 422) {
    const std::size_t open = message.find('(');
    const std::size_t close = message.rfind(')');
    if (open != std::string::npos && close != std::string::npos && close > open + 1)
      return "a virus scan found a virus in it (" + message.substr(open + 1, close - open - 1) + ").";
    return "a virus scan found a virus in it.";
  }
  if (status == 503) return "the server could not store it right now. Try again in a moment.";
  if (status == 400 && code == "empty_file") return "the file is empty.";
  if (status == 409) return "only the assigned agent can send files in this conversation.";
  if (status == 404) return "this conversation is no longer available.";
  if (status == 401) return "you are signed out. Sign in again and retry.";
  if (status == 429) return "too many requests. Try again in a moment.";
  return "the server refused it (error " + std::to_string(status) + ").";
}

int Uploads::add(int handle, std::string conversation_id, std::string name, std::uint64_t size, std::string key) {
  Upload u;
  u.id = next_id_++;
  u.handle = handle;
  u.conversation_id = std::move(conversation_id);
  u.name = name.empty() ? std::string("file") : std::move(name);
  u.size = size;
  u.idempotency_key = std::move(key);
  uploads_.push_back(std::move(u));
  ++version_;
  return uploads_.back().id;
}

Upload* Uploads::get(int id) {
  for (Upload& u : uploads_)
    if (u.id == id) return &u;
  return nullptr;
}

const Upload* Uploads::find(int id) const {
  for (const Upload& u : uploads_)
    if (u.id == id) return &u;
  return nullptr;
}

bool Uploads::busy() const {
  return std::any_of(uploads_.begin(), uploads_.end(),
                     [](const Upload& u) { return u.state == Upload::State::uploading; });
}

const Upload* Uploads::start_next() {
  if (busy()) return nullptr;
  for (Upload& u : uploads_) {
    if (u.state != Upload::State::queued) continue;
    u.state = Upload::State::uploading;
    u.error.clear();
    ++u.attempts;
    ++version_;
    announcements_.push_back("Uploading " + u.name);
    return &u;
  }
  return nullptr;
}

bool Uploads::finished(int id, int status, std::string_view body) {
  Upload* u = get(id);
  if (!u || u->state != Upload::State::uploading) return false;
  ++version_;
  if (status == 200 || status == 201) {
    announcements_.push_back(u->name + " sent");
    uploads_.erase(uploads_.begin() + (u - uploads_.data()));
    return true;
  }
  u->state = Upload::State::failed;
  u->error = refusal_text(status, body);
  announcements_.push_back(u->name + " was not sent: " + u->error);
  return false;
}

bool Uploads::retry(int id) {
  Upload* u = get(id);
  if (!u || u->state != Upload::State::failed) return false;
  u->state = Upload::State::queued;
  ++version_;
  return true;
}

int Uploads::discard(int id) {
  Upload* u = get(id);
  if (!u || u->state == Upload::State::uploading) return 0;
  const int handle = u->handle;
  uploads_.erase(uploads_.begin() + (u - uploads_.data()));
  ++version_;
  return handle;
}

int Uploads::id_of(std::string_view key) {
  if (!key.starts_with("upload:")) return 0;
  key.remove_prefix(7);
  if (key.empty() || key.size() > 9) return 0;
  int n = 0;
  for (const char c : key) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + (c - '0');
  }
  return n;
}

std::string Uploads::item_text(const Upload& u) {
  std::string out = u.name + " (" + format_size(u.size) + ")\n";
  switch (u.state) {
    case Upload::State::queued: out += "Waiting to upload\u2026"; break;
    case Upload::State::uploading: out += "Uploading\u2026"; break;
    case Upload::State::failed: out += "Not sent: " + u.error; break;
  }
  return out;
}

}  // namespace parley::client::files
