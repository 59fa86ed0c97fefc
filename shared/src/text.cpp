// UTF-8 and JSON-escape checks (parley/text.hpp).
#include "parley/text.hpp"

#include <optional>

namespace parley {
namespace {

bool is_continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

// Length of the UTF-8 sequence led by `lead`, and the allowed range of its second byte (which
// is where overlongs, surrogates and values above U+10FFFF are excluded). Length 0: not a lead.
struct LeadByte {
  std::size_t length = 0;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
};

LeadByte classify_lead(unsigned char lead) {
  if (lead >= 0xC2 && lead <= 0xDF) return {2};
  if (lead == 0xE0) return {3, 0xA0, 0xBF};  // no overlongs
  if (lead == 0xED) return {3, 0x80, 0x9F};  // no surrogates
  if (lead >= 0xE1 && lead <= 0xEF) return {3};
  if (lead == 0xF0) return {4, 0x90, 0xBF};  // no overlongs
  if (lead >= 0xF1 && lead <= 0xF3) return {4};
  if (lead == 0xF4) return {4, 0x80, 0x8F};  // nothing above U+10FFFF
  return {};                                 // 0x80-0xC1, 0xF5-0xFF
}

std::optional<unsigned> parse_hex4(std::string_view s) {
  if (s.size() < 4) return std::nullopt;
  unsigned value = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const char c = s[i];
    unsigned digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<unsigned>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<unsigned>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      digit = static_cast<unsigned>(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
    value = value * 16 + digit;
  }
  return value;
}

bool is_high_surrogate(unsigned unit) { return unit >= 0xD800 && unit <= 0xDBFF; }
bool is_low_surrogate(unsigned unit) { return unit >= 0xDC00 && unit <= 0xDFFF; }

bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    const LeadByte info = classify_lead(lead);
    if (info.length == 0 || s.size() - i < info.length) return false;
    const auto second = static_cast<unsigned char>(s[i + 1]);
    if (second < info.second_min || second > info.second_max) return false;
    for (std::size_t k = 2; k < info.length; ++k) {
      if (!is_continuation(static_cast<unsigned char>(s[i + k]))) return false;
    }
    i += info.length;
  }
  return true;
}

std::size_t count_code_points(std::string_view s) {
  std::size_t count = 0;
  for (const char c : s) {
    if (!is_continuation(static_cast<unsigned char>(c))) ++count;
  }
  return count;
}

std::string_view truncate_code_points(std::string_view s, std::size_t max_code_points) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (is_continuation(static_cast<unsigned char>(s[i]))) continue;
    if (seen == max_code_points) return s.substr(0, i);
    ++seen;
  }
  return s;
}

bool has_lone_surrogate_escape(std::string_view json_text) {
  // Walks escapes only (a backslash outside a string is a syntax error the parser reports).
  // `awaiting_low` is set right after a high surrogate escape: the very next thing must be a low one.
  bool awaiting_low = false;
  std::size_t i = 0;
  while (i < json_text.size()) {
    if (json_text[i] != '\\' || i + 1 >= json_text.size()) {
      if (awaiting_low) return true;
      ++i;
      continue;
    }
    if (json_text[i + 1] != 'u') {  // \" \\ \n ...: two characters, never a surrogate
      if (awaiting_low) return true;
      i += 2;
      continue;
    }
    const std::optional<unsigned> unit = parse_hex4(json_text.substr(i + 2));
    if (!unit) {  // malformed escape: not ours to report
      if (awaiting_low) return true;
      i += 2;
      continue;
    }
    if (is_high_surrogate(*unit)) {
      if (awaiting_low) return true;
      awaiting_low = true;
    } else if (is_low_surrogate(*unit)) {
      if (!awaiting_low) return true;
      awaiting_low = false;
    } else if (awaiting_low) {
      return true;
    }
    i += 6;
  }
  return awaiting_low;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return out;
}

bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace parley
