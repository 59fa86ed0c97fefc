// parley/attachment.hpp: file types by content, the upload policy, safe file names.
#include <doctest/doctest.h>

#include <string>

#include "parley/attachment.hpp"

using namespace parley;

namespace {
std::string bytes(std::initializer_list<int> v) {
  std::string s;
  for (int c : v) s.push_back(static_cast<char>(c));
  return s;
}
const std::string kPng = bytes({0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
const std::string kJpeg = bytes({0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F'});
const std::string kGif = "GIF89a\x01\x00\x01\x00";
const std::string kWebp = std::string("RIFF") + bytes({0x24, 0, 0, 0}) + "WEBPVP8 ";
const std::string kPdf = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";

// A ZIP local file header naming `first`, followed by `rest`.
std::string zip(const std::string& first, const std::string& rest) {
  std::string s = bytes({'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  s.push_back(static_cast<char>(first.size()));
  s.push_back(0);
  s += bytes({0, 0});
  return s + first + rest;
}
}  // namespace

TEST_CASE("sniff_file_type: images, PDF and text by their bytes") {
  CHECK(sniff_file_type(kPng) == FileType::png);
  CHECK(sniff_file_type(kJpeg) == FileType::jpeg);
  CHECK(sniff_file_type(kGif) == FileType::gif);
  CHECK(sniff_file_type("GIF87a....") == FileType::gif);
  CHECK(sniff_file_type(kWebp) == FileType::webp);
  CHECK(sniff_file_type(kPdf) == FileType::pdf);
  CHECK(sniff_file_type("hello\r\n\tworld\n") == FileType::text);
  CHECK(sniff_file_type("\xEF\xBB\xBF" "caf\xC3\xA9 \xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 \xF0\x9F\x98\x80") == FileType::text);
}

TEST_CASE("sniff_file_type: what is not a known type") {
  CHECK(sniff_file_type("") == FileType::unknown);
  CHECK(sniff_file_type("\xEF\xBB\xBF") == FileType::unknown);              // a BOM and nothing
  CHECK(sniff_file_type(std::string("text\0with nul", 13)) == FileType::unknown);
  CHECK(sniff_file_type("bad utf-8 \xC3\x28") == FileType::unknown);
  CHECK(sniff_file_type("escape \x1b[31m") == FileType::unknown);
  CHECK(sniff_file_type(bytes({0x7F, 'E', 'L', 'F', 2, 1, 1})) == FileType::unknown);  // an executable
  CHECK(sniff_file_type("MZ\x90") == FileType::unknown);
  CHECK(sniff_file_type("\x89PNG") == FileType::unknown);  // a truncated signature
  CHECK(sniff_file_type(std::string("RIFF\x24\0\0\0WAVE", 12)) == FileType::unknown);
  // HTML is text/plain by bytes: it is stored and served as text/plain + nosniff, never as HTML.
  CHECK(sniff_file_type("<html><script>alert(1)</script></html>") == FileType::text);
}

TEST_CASE("sniff_file_type: Office files are ZIPs naming their parts; other ZIPs are unknown") {
  CHECK(sniff_file_type(zip("[Content_Types].xml", "<Types/>PK..word/document.xml")) == FileType::docx);
  CHECK(sniff_file_type(zip("[Content_Types].xml", "<Types/>PK..xl/workbook.xml")) == FileType::xlsx);
  CHECK(sniff_file_type(zip("word/document.xml", "")) == FileType::docx);
  CHECK(sniff_file_type(zip("[Content_Types].xml", "nothing else")) == FileType::unknown);
  CHECK(sniff_file_type(zip("evil.exe", "MZ")) == FileType::unknown);
  CHECK(sniff_file_type("PK\x03\x04") == FileType::unknown);
}

TEST_CASE("MIME names, images and inline display") {
  CHECK(mime_of(FileType::png) == "image/png");
  CHECK(content_type_of(FileType::text) == "text/plain; charset=utf-8");
  CHECK(content_type_of(FileType::unknown) == "application/octet-stream");
  CHECK(parse_mime("IMAGE/JPEG") == FileType::jpeg);
  CHECK_FALSE(parse_mime("text/html").has_value());
  CHECK(is_inline_image("image/webp"));
  CHECK_FALSE(is_inline_image("application/pdf"));
  CHECK_FALSE(is_inline_image("image/svg+xml"));  // active content: never inline
  CHECK_FALSE(is_inline_image("text/plain; charset=utf-8"));
}

TEST_CASE("check_upload: size, then type by content, then the allow-list") {
  AttachmentPolicy p;  // defaults: images, PDF, text; 10 MB
  CHECK(check_upload(p, kPng).type == FileType::png);
  CHECK(check_upload(p, kPdf).type == FileType::pdf);
  CHECK(check_upload(p, "notes").type == FileType::text);

  UploadCheck empty = check_upload(p, "");
  CHECK(empty.refusal == UploadRefusal::empty);
  CHECK_FALSE(empty.type.has_value());

  p.max_bytes = 8;
  UploadCheck big = check_upload(p, kPng);
  CHECK(big.refusal == UploadRefusal::too_large);
  CHECK(big.message.find("8 bytes") != std::string::npos);
  p.max_bytes = 10ull * 1024 * 1024;

  CHECK(check_upload(p, "MZ\x90\x00").refusal == UploadRefusal::unknown_type);
  CHECK(check_upload(p, zip("[Content_Types].xml", "word/")).refusal == UploadRefusal::type_not_allowed);

  p.allowed_types = {"application/pdf"};
  UploadCheck png = check_upload(p, kPng);
  CHECK(png.refusal == UploadRefusal::type_not_allowed);
  CHECK(png.message.find("image/png") != std::string::npos);
  CHECK(check_upload(p, kPdf).type == FileType::pdf);

  p.allowed_types = {"image/*"};
  for (const std::string* img : {&kPng, &kJpeg, &kGif, &kWebp}) CHECK(check_upload(p, *img).type.has_value());
  CHECK(check_upload(p, kPdf).refusal == UploadRefusal::type_not_allowed);
  CHECK(to_string(UploadRefusal::type_not_allowed) == "file_type_not_allowed");
  CHECK(to_string(UploadRefusal::too_large) == "file_too_large");
}

TEST_CASE("valid_allow_list") {
  std::string bad;
  CHECK(valid_allow_list({"image/*", "application/pdf", "text/plain"}));
  CHECK_FALSE(valid_allow_list({"image/png", "text/html"}, &bad));
  CHECK(bad == "text/html");
  CHECK_FALSE(valid_allow_list({"*/*"}, &bad));
}

TEST_CASE("clean_file_name: no paths, controls or quotes; bounded; a fallback") {
  CHECK(clean_file_name("report.pdf") == "report.pdf");
  CHECK(clean_file_name("../../etc/passwd") == "passwd");
  CHECK(clean_file_name("C:\\Users\\me\\photo.png") == "photo.png");
  CHECK(clean_file_name("a\"b;c\r\nd.txt") == "abcd.txt");
  CHECK(clean_file_name("  ..hidden. ") == "hidden");
  CHECK(clean_file_name("") == "file");
  CHECK(clean_file_name("...", "upload") == "upload");
  CHECK(clean_file_name("bad\xC3(.txt") == "bad_(.txt");
  CHECK(clean_file_name("caf\xC3\xA9.txt") == "caf\xC3\xA9.txt");
  const std::string longname(300, 'x');
  CHECK(clean_file_name(longname).size() == 200);
  std::string accents;
  for (int i = 0; i < 150; ++i) accents += "\xC3\xA9";  // 300 bytes of two-byte characters
  const std::string cut = clean_file_name(accents);
  CHECK(cut.size() == 200);
}

#include "parley/model.hpp"

TEST_CASE("a file message carries its attachment through JSON and back") {
  Message m;
  m.conversation_id = "c_1";
  m.seq = 4;
  m.kind = MessageKind::file;
  m.text = "shot.png";
  m.at = 1000;
  m.attachment = AttachmentRef{"att_1", "shot.png", "image/png", 1234};
  const Json j = to_json(m);
  CHECK(j["attachment"]["id"] == "att_1");
  CHECK(j["attachment"]["size"] == 1234);
  auto back = message_from_json(j);
  REQUIRE(back);
  REQUIRE(back->attachment.has_value());
  CHECK(*back->attachment == *m.attachment);
  // A text message has none, and a malformed attachment is refused.
  m.attachment.reset();
  CHECK_FALSE(to_json(m).contains("attachment"));
  Json bad = j;
  bad["attachment"].erase("id");
  CHECK_FALSE(message_from_json(bad));
}
