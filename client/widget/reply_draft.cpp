// The assistant's streamed reply (reply_draft.hpp).
#include "widget/reply_draft.hpp"

namespace parley::widget {
namespace {
std::string str(const Json& j, const char* key) {
  if (!j.is_object()) return {};
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
std::string cut(const std::string& s, std::size_t max) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (count == max) return s.substr(0, i);
      ++count;
    }
  }
  return s;
}
}  // namespace

bool ReplyDraft::on_draft(const Json& data) {
  const std::string id = str(data, "draft_id");
  if (id.empty()) return false;
  const auto d = data.is_object() ? data.find("discarded") : data.end();
  if (d != data.end() && d->is_boolean() && d->get<bool>()) {
    if (id != id_) return false;
    clear();
    return true;
  }
  const std::string text = cut(str(data, "text"), 4000);
  if (text.empty() || (id == id_ && text == text_)) return false;
  id_ = id;
  text_ = text;
  return true;
}

bool ReplyDraft::on_message(Role sender, const Json& data) {
  if (!active()) return false;
  if (sender == Role::bot || (!id_.empty() && str(data, "draft_id") == id_)) {
    clear();
    return true;
  }
  return false;
}

}  // namespace parley::widget
