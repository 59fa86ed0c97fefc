// Tests of the pure parts of the text path: script detection (client/common/script.hpp) and the
// text atlas's packing and eviction (client/common/text_cache.hpp).
#include <doctest/doctest.h>

#include "common/script.hpp"
#include "common/text_cache.hpp"

using namespace parley::client;
using script::Direction;

TEST_CASE("first strong character decides the paragraph direction") {
  CHECK(script::first_strong("Hello") == Direction::ltr);
  CHECK(script::first_strong("שלום עולם") == Direction::rtl);
  CHECK(script::first_strong("مرحبا بك") == Direction::rtl);
  CHECK(script::first_strong("123 مرحبا") == Direction::rtl);      // digits are weak
  CHECK(script::first_strong("😀 👍 שלום") == Direction::rtl);       // emoji are neutral
  CHECK(script::first_strong("Order 5 — طلب") == Direction::ltr);  // Latin first
  CHECK(script::first_strong("नमस्ते") == Direction::ltr);
  CHECK(script::first_strong("สวัสดี") == Direction::ltr);
  CHECK(script::first_strong("你好") == Direction::ltr);
  CHECK(script::first_strong("12:30 !") == Direction::neutral);
  CHECK(script::first_strong("") == Direction::neutral);
  CHECK(script::first_strong("\u064B\u0661") == Direction::neutral);  // a mark and an Arabic digit
}

TEST_CASE("language tags for Han text") {
  CHECK(script::lang_for("你好，我的网络断了", "") == "zh");
  CHECK(script::lang_for("你好", "en-GB") == "zh");
  CHECK(script::lang_for("你好", "zh-TW") == "zh-TW");
  CHECK(script::lang_for("直", "ja") == "ja");
  CHECK(script::lang_for("こんにちは、請求書", "zh") == "ja");  // kana decide
  CHECK(script::lang_for("안녕하세요", "") == "ko");
  CHECK(script::lang_for("Hello", "de") == "de");
  CHECK(script::lang_for("Hello", "") == "");
}

TEST_CASE("right-to-left languages") {
  CHECK(script::is_rtl_language("ar"));
  CHECK(script::is_rtl_language("he-IL"));
  CHECK(script::is_rtl_language("fa_IR"));
  CHECK(script::is_rtl_language("UR"));
  CHECK(!script::is_rtl_language("en-US"));
  CHECK(!script::is_rtl_language("arn"));  // Mapuche: Latin script
  CHECK(!script::is_rtl_language(""));
}

TEST_CASE("avatar letters are whole graphemes") {
  CHECK(script::initial("alice") == "A");
  CHECK(script::initial("  bob") == "B");
  CHECK(script::initial("") == "?");
  CHECK(script::initial("Ωmega") == "Ω");
  CHECK(script::initial("अनिल") == "अ");
  CHECK(script::initial("किरण") == "कि");  // consonant + vowel sign
  CHECK(script::initial("أحمد") == "أ");
  CHECK(script::initial("👍🏽 fan") == "👍🏽");  // emoji + skin tone
  CHECK(script::initial("👨‍👩‍👧 family") == "👨‍👩‍👧");
  CHECK(script::initial("🇯🇵 Tokyo") == "🇯🇵");
  CHECK(script::initial("李雷") == "李");
}

TEST_CASE("UTF-8 decoding survives bad bytes") {
  std::string s = "a\xC3";  // truncated sequence
  std::size_t i = 0;
  CHECK(script::next(s, i) == U'a');
  CHECK(script::next(s, i) == 0xFFFD);
  CHECK(i == s.size());
}

TEST_CASE("runs are packed into shelves and found again") {
  RunCache cache(256, 64, 2);
  cache.begin_frame();
  bool fresh = false, reused = false;
  auto a = cache.insert("a", 100, 20, &fresh, &reused);
  REQUIRE(a);
  CHECK(fresh);
  CHECK(!reused);
  auto b = cache.insert("b", 100, 18, &fresh);
  REQUIRE(b);
  CHECK(!fresh);
  CHECK(b->page == a->page);
  CHECK(b->y == a->y);  // same shelf (similar height)
  CHECK(b->x >= a->x + a->w);
  const RunCache::Slot* found = cache.find("a");
  REQUIRE(found);
  CHECK(found->x == a->x);
  CHECK(cache.find("missing") == nullptr);
  CHECK(cache.runs() == 2);
}

TEST_CASE("a full atlas grows, then empties its least recently used page") {
  RunCache cache(100, 40, 2);
  cache.begin_frame();
  REQUIRE(cache.insert("p0", 100, 40));  // fills page 0
  cache.begin_frame();
  bool fresh = false, reused = false;
  REQUIRE(cache.insert("p1", 100, 40, &fresh));  // page 1
  CHECK(fresh);
  CHECK(cache.pages() == 2);
  cache.begin_frame();
  CHECK(cache.find("p1"));  // p1 used now, p0 not
  auto c = cache.insert("c", 50, 40, &fresh, &reused);
  REQUIRE(c);
  CHECK(reused);
  CHECK(c->page == 0);
  CHECK(cache.find("p0") == nullptr);  // evicted with its page
  CHECK(cache.find("p1"));
  CHECK(cache.evictions() == 1);
  // Every page in use by this frame: no room, nothing evicted under the frame's feet.
  CHECK(!cache.insert("d", 100, 40));
  cache.clear();
  CHECK(cache.pages() == 0);
  CHECK(cache.runs() == 0);
}

TEST_CASE("runs wider than a page are clamped to it") {
  RunCache cache(64, 64, 1);
  cache.begin_frame();
  auto s = cache.insert("wide", 500, 10);
  REQUIRE(s);
  CHECK(s->w == 64);
}
