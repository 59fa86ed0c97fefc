// client/common/files.hpp: how file messages read, refusals in words, the upload queue.
#include <doctest/doctest.h>

#include "common/files.hpp"

using namespace parley;
using namespace parley::client::files;

TEST_CASE("files: sizes in words") {
  CHECK(format_size(0) == "0 bytes");
  CHECK(format_size(1) == "1 byte");
  CHECK(format_size(1023) == "1023 bytes");
  CHECK(format_size(1024) == "1.0 KB");
  CHECK(format_size(1536) == "1.5 KB");
  CHECK(format_size(48213) == "47 KB");
  CHECK(format_size(10 * 1024 * 1024) == "10 MB");
  CHECK(format_size(1024 * 1024 + 200 * 1024) == "1.2 MB");
  CHECK(format_size(3ull * 1024 * 1024 * 1024) == "3.0 GB");
}

TEST_CASE("files: images are the four inline types, decided by the sniffed type only") {
  CHECK(is_image("image/png"));
  CHECK(is_image("image/jpeg"));
  CHECK(is_image("image/gif"));
  CHECK(is_image("image/webp"));
  CHECK_FALSE(is_image("image/svg+xml"));
  CHECK_FALSE(is_image("application/pdf"));
  CHECK_FALSE(is_image("text/plain; charset=utf-8"));
  CHECK(type_label("image/png") == "PNG image");
  CHECK(type_label("application/pdf") == "PDF document");
  CHECK(type_label("text/plain; charset=utf-8") == "Text file");
  CHECK(type_label("application/vnd.openxmlformats-officedocument.wordprocessingml.document") == "Word document");
  CHECK(type_label("application/x-whatever") == "File");
}

TEST_CASE("files: a file message is its name as a link, then type and size") {
  AttachmentRef a{"att_12ab", "Screen shot.png", "image/png", 48213};
  const FileText t = file_message_text(a);
  CHECK(t.text == "Screen shot.png\nPNG image \u00b7 47 KB");
  REQUIRE(t.links.size() == 1);
  CHECK(t.links[0].begin == 0);
  CHECK(t.links[0].end == 15);
  CHECK(t.links[0].url == "parley-file:att_12ab");
  CHECK(link_attachment_id(t.links[0].url) == "att_12ab");
  CHECK(link_attachment_id("https://example.com") == "");
  CHECK(link_attachment_id("parley-file:") == "");
  CHECK(link_attachment_id("parley-file:../x") == "");  // only ids, never paths
  CHECK(open_label(a) == "Download Screen shot.png, PNG image, 47 KB");
}

TEST_CASE("files: every refusal in words, with the relay's limit when it gave one") {
  CHECK(refusal_text(413, R"({"error":{"code":"file_too_large","message":"the file is larger than the limit of 1048576 bytes","field":"file"}})") ==
        "the file is too large (the limit is 1.0 MB).");
  CHECK(refusal_text(413, "") == "the file is too large.");
  CHECK(refusal_text(415, R"({"error":{"code":"unknown_file_type","message":"x"}})") ==
        "this kind of file cannot be sent here (images, PDF and text files can).");
  CHECK(refusal_text(415, R"({"error":{"code":"file_type_not_allowed","message":"files of type application/pdf are not allowed here"}})") ==
        "files of this type are not accepted here.");
  CHECK(refusal_text(422, R"j({"error":{"code":"file_infected","message":"the file contains a virus (Eicar-Test-Signature)"}})j") ==
        "a virus scan found a virus in it (Eicar-Test-Signature).");
  CHECK(refusal_text(503, "{}") == "the server could not store it right now. Try again in a moment.");
  CHECK(refusal_text(400, R"({"error":{"code":"empty_file","message":"the file is empty"}})") == "the file is empty.");
  CHECK(refusal_text(409, R"({"error":{"code":"not_assigned","message":"x"}})") ==
        "only the assigned agent can send files in this conversation.");
  CHECK(refusal_text(0, "") == "there is no connection. Try again when you are back online.");
  CHECK(refusal_text(500, "garbage") == "the server refused it (error 500).");
}

TEST_CASE("files: uploads queue, one at a time; success leaves, failure stays with its reason") {
  Uploads u;
  const int a = u.add(7, "c_1", "a.png", 2048, "k-a");
  const int b = u.add(8, "c_1", "b.pdf", 10, "k-b");
  CHECK(u.all().size() == 2);
  CHECK(Uploads::item_text(*u.find(a)) == "a.png (2.0 KB)\nWaiting to upload\u2026");
  const Upload* first = u.start_next();
  REQUIRE(first != nullptr);
  CHECK(first->id == a);
  CHECK(first->idempotency_key == "k-a");
  CHECK(u.busy());
  CHECK(u.start_next() == nullptr);  // one at a time
  CHECK(Uploads::item_text(*u.find(a)) == "a.png (2.0 KB)\nUploading\u2026");
  const std::uint64_t v = u.version();
  CHECK(u.finished(a, 201, "{}"));
  CHECK(u.version() != v);
  CHECK(u.find(a) == nullptr);
  const Upload* second = u.start_next();
  REQUIRE(second != nullptr);
  CHECK_FALSE(u.finished(b, 415, R"({"error":{"code":"unknown_file_type"}})"));
  REQUIRE(u.find(b) != nullptr);
  CHECK(u.find(b)->state == Upload::State::failed);
  CHECK(Uploads::item_text(*u.find(b)) ==
        "b.pdf (10 bytes)\nNot sent: this kind of file cannot be sent here (images, PDF and text files can).");
  CHECK_FALSE(u.busy());
  CHECK(u.start_next() == nullptr);  // failed ones wait for the person
  const auto said = u.take_announcements();
  REQUIRE(said.size() == 4);
  CHECK(said[0] == "Uploading a.png");
  CHECK(said[1] == "a.png sent");
  CHECK(said[2] == "Uploading b.pdf");
  CHECK(said[3] == "b.pdf was not sent: this kind of file cannot be sent here (images, PDF and text files can).");
  CHECK(u.take_announcements().empty());
}

TEST_CASE("files: retry keeps the idempotency key; discard returns the handle; unknown ids are no-ops") {
  Uploads u;
  const int a = u.add(5, "c_1", "a.png", 1, "k-a");
  CHECK_FALSE(u.retry(a));  // not failed
  u.start_next();
  u.finished(a, 0, "");
  CHECK(u.find(a)->error == "there is no connection. Try again when you are back online.");
  CHECK(u.retry(a));
  CHECK(u.find(a)->state == Upload::State::queued);
  const Upload* again = u.start_next();
  REQUIRE(again != nullptr);
  CHECK(again->idempotency_key == "k-a");
  CHECK(again->attempts == 2);
  u.finished(a, 503, "");
  CHECK(u.discard(a) == 5);
  CHECK(u.all().empty());
  CHECK(u.discard(a) == 0);
  CHECK_FALSE(u.retry(99));
  CHECK_FALSE(u.finished(99, 201, ""));
  CHECK(Uploads::id_of(Uploads::key_of(12)) == 12);
  CHECK(Uploads::id_of("c_123") == 0);
  CHECK(Uploads::id_of("upload:x") == 0);
}

TEST_CASE("files: an uploading file cannot be discarded mid-flight") {
  Uploads u;
  const int a = u.add(5, "c_1", "a.png", 1, "k");
  u.start_next();
  CHECK(u.discard(a) == 0);
  CHECK(u.find(a) != nullptr);
}

TEST_CASE("files: file names percent-encoded as encodeURIComponent does") {
  CHECK(percent_encode("Screen shot.png") == "Screen%20shot.png");
  CHECK(percent_encode("a/b;c\"d") == "a%2Fb%3Bc%22d");
  CHECK(percent_encode("(it's)~*!-_.") == "(it's)~*!-_.");
  CHECK(percent_encode("\xc3\xa9t\xc3\xa9.txt") == "%C3%A9t%C3%A9.txt");  // "été.txt"
}
