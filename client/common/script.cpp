// script.cpp: see script.hpp.
#include "common/script.hpp"

#include <cctype>

namespace parley::client::script {
namespace {

struct Range {
  char32_t lo, hi;
};

template <std::size_t N>
bool in(const Range (&ranges)[N], char32_t c) {
  for (const Range& r : ranges)
    if (c >= r.lo && c <= r.hi) return true;
  return false;
}

constexpr Range kRtl[] = {
    {0x0590, 0x05FF}, {0x0600, 0x06FF},   {0x0700, 0x08FF},   {0xFB1D, 0xFDFF},
    {0xFE70, 0xFEFF}, {0x10800, 0x10FFF}, {0x1E800, 0x1EFFF},
};
// Marks and digits inside the RTL blocks are not strong letters.
constexpr Range kRtlNotStrong[] = {
    {0x0591, 0x05BD}, {0x05BF, 0x05BF}, {0x05C1, 0x05C2}, {0x05C4, 0x05C5},
    {0x05C7, 0x05C7}, {0x0600, 0x0605}, {0x0610, 0x061A}, {0x064B, 0x065F},
    {0x0660, 0x0669}, {0x0670, 0x0670}, {0x06D6, 0x06ED}, {0x06F0, 0x06F9},
};
constexpr Range kLtr[] = {
    {'A', 'Z'},       {'a', 'z'},       {0x00AA, 0x00AA}, {0x00B5, 0x00B5},   {0x00BA, 0x00BA},
    {0x00C0, 0x00D6}, {0x00D8, 0x00F6}, {0x00F8, 0x02B8}, {0x0370, 0x0373},   {0x0376, 0x037D},
    {0x037F, 0x03FF}, {0x0400, 0x0482}, {0x048A, 0x058F}, {0x0900, 0x0DFF},   {0x0E01, 0x0E30},
    {0x0E32, 0x0E33}, {0x0E40, 0x0E46}, {0x0E4F, 0x0FFF}, {0x1000, 0x1FFF},   {0x2C00, 0x2DFF},
    {0x3005, 0x3007}, {0x3021, 0x3029}, {0x3031, 0x3035}, {0x3038, 0x303C},   {0x3041, 0x3096},
    {0x309D, 0x309F}, {0x30A1, 0x30FA}, {0x30FC, 0x30FF}, {0x3105, 0x318F},   {0x31A0, 0x31FF},
    {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xA000, 0xA4CF}, {0xAC00, 0xD7FF},   {0xF900, 0xFAFF},
    {0xFF21, 0xFF3A}, {0xFF41, 0xFF5A}, {0xFF66, 0xFFDC}, {0x20000, 0x3FFFF},
};
constexpr Range kKana[] = {{0x3041, 0x30FF}, {0x31F0, 0x31FF}, {0xFF66, 0xFF9F}};
constexpr Range kHangul[] = {{0x1100, 0x11FF}, {0x3130, 0x318F}, {0xA960, 0xA97F}, {0xAC00, 0xD7FF}};
constexpr Range kHan[] = {{0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xF900, 0xFAFF}, {0x20000, 0x3FFFF}};
constexpr Range kExtend[] = {
    {0x0300, 0x036F},   {0x0483, 0x0489},   {0x0591, 0x05BD},   {0x05BF, 0x05BF}, {0x05C1, 0x05C2},
    {0x05C4, 0x05C5},   {0x05C7, 0x05C7},   {0x0610, 0x061A},   {0x064B, 0x065F}, {0x0670, 0x0670},
    {0x06D6, 0x06DC},   {0x06DF, 0x06E4},   {0x06E7, 0x06E8},   {0x06EA, 0x06ED}, {0x0900, 0x0903},
    {0x093A, 0x093C},   {0x093E, 0x094F},   {0x0951, 0x0957},   {0x0962, 0x0963}, {0x0E31, 0x0E31},
    {0x0E34, 0x0E3A},   {0x0E47, 0x0E4E},   {0x1AB0, 0x1AFF},   {0x1DC0, 0x1DFF}, {0x200C, 0x200D},
    {0x20D0, 0x20FF},   {0x302A, 0x302F},   {0x3099, 0x309A},   {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F},
    {0x1F3FB, 0x1F3FF}, {0xE0020, 0xE007F}, {0xE0100, 0xE01EF},
};

}  // namespace

char32_t next(std::string_view s, std::size_t& i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  i += n;
  return cp;
}

bool is_rtl(char32_t c) { return in(kRtl, c) && !in(kRtlNotStrong, c); }
bool is_ltr(char32_t c) { return in(kLtr, c); }

Direction first_strong(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const char32_t c = next(s, i);
    if (is_rtl(c)) return Direction::rtl;
    if (is_ltr(c)) return Direction::ltr;
  }
  return Direction::neutral;
}

std::string lang_for(std::string_view s, std::string_view preferred) {
  bool han = false;
  for (std::size_t i = 0; i < s.size();) {
    const char32_t c = next(s, i);
    if (in(kKana, c)) return "ja";
    if (in(kHangul, c)) return "ko";
    if (in(kHan, c)) han = true;
  }
  if (!han) return std::string(preferred);
  const auto starts = [&](std::string_view p) {
    return preferred.size() >= p.size() && preferred.substr(0, p.size()) == p &&
           (preferred.size() == p.size() || preferred[p.size()] == '-');
  };
  if (starts("zh") || starts("ja")) return std::string(preferred);
  return "zh";
}

bool is_extend(char32_t c) { return in(kExtend, c); }

bool is_rtl_language(std::string_view tag) {
  const std::size_t dash = tag.find_first_of("-_");
  std::string primary(tag.substr(0, dash));
  for (char& ch : primary) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  static constexpr std::string_view kRtlLanguages[] = {"ar", "he", "iw",  "fa", "ur", "ps",
                                                       "yi", "dv", "ckb", "sd", "ug", "syr"};
  for (std::string_view l : kRtlLanguages)
    if (primary == l) return true;
  return false;
}

std::string initial(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) ++i;
  if (i >= s.size()) return "?";
  const std::size_t begin = i;
  const char32_t first = next(s, i);
  bool after_zwj = false;
  while (i < s.size()) {
    std::size_t j = i;
    const char32_t c = next(s, j);
    const bool regional_pair =
        first >= 0x1F1E6 && first <= 0x1F1FF && c >= 0x1F1E6 && c <= 0x1F1FF && i - begin == 4;
    if (!(is_extend(c) || after_zwj || regional_pair)) break;
    after_zwj = c == 0x200D;
    i = j;
  }
  std::string out(s.substr(begin, i - begin));
  if (out.size() == 1) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

}  // namespace parley::client::script
