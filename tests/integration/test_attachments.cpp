// File attachments (issue 9, "File attachments both ways"; docs/api.md "Attachments"): upload by
// the customer (visitor token header) and by the assigned agent (cookie), the message of kind
// file on both sockets and in the transcript, download headers, the authorisation matrix, tenant
// isolation, and every refusal (size, type by content, unknown bytes, empty, bad names).
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "harness.hpp"

using namespace parley::it;

namespace {

const std::vector<std::string> kNoRestLimit = {"--rest-rate", "100000", "--rest-burst", "100000"};

std::string bytes(std::initializer_list<int> v) {
  std::string s;
  for (int c : v) s.push_back(static_cast<char>(c));
  return s;
}
// Enough of a PNG for the sniffer (signature + IHDR start), padded to `size` bytes.
std::string png(std::size_t size = 64) {
  std::string s = bytes({0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
  s.resize(std::max(size, s.size()), '\x01');
  return s;
}
const std::string kPdf = "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

void ctl_ok(const Relay& relay, std::vector<std::string> args) {
  auto r = relay.ctl(args);
  if (r.exit_code != 0) throw std::runtime_error("parleyctl failed: " + r.out + r.err);
}

Headers browser(const Relay& relay, const std::string& cookie) { return {{"Cookie", cookie}, {"Origin", relay.origin()}}; }
Headers bearer(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }
Headers visitor(const std::string& token) { return {{"X-Visitor-Token", token}}; }

HttpResult upload(const Relay& relay, const std::string& conv, const std::string& body, Headers h,
                  const std::string& name = "photo.png") {
  if (!name.empty()) h.emplace_back("X-File-Name", name);
  h.emplace_back("Content-Type", "application/octet-stream");
  return http(relay.port(), "POST", "/api/v1/conversations/" + conv + "/attachments", body, h);
}
HttpResult download(const Relay& relay, const std::string& id, const Headers& h) {
  return http_get(relay.port(), "/api/v1/attachments/" + id, h);
}

// A customer's conversation taken over by the admin (active, assigned to the admin).
struct Scene {
  Customer customer;
  std::string conv;
  std::string admin_cookie;
};
Scene scene(const Relay& relay, const std::string& tenant = "default", const std::string& admin = kAdminUser,
            const std::string& password = kAdminPassword) {
  Scene s{Customer::connect(relay, "", tenant), "", ""};
  s.conv = s.customer.start();
  s.customer.send(s.conv, "hello, I have a screenshot");
  s.admin_cookie = login(relay, admin, password);
  auto h = http_post_json(relay.port(), "/api/v1/conversations/" + s.conv + "/handoff", Json::object(),
                          browser(relay, s.admin_cookie));
  REQUIRE(h.status == 200);
  return s;
}

std::int64_t file_messages(const Relay& relay) {
  return db_int(relay, "SELECT COUNT(*) FROM messages WHERE kind = 'file'");
}
std::int64_t attachment_rows(const Relay& relay) { return db_int(relay, "SELECT COUNT(*) FROM attachments"); }

}  // namespace

TEST_CASE("attachments: the customer and the agent share files both ways; both sockets see them; headers") {
  Relay relay(RelayOptions::with_args(kNoRestLimit));
  relay.start();
  Scene s = scene(relay);
  Staff agent = Staff::connect_cookie(relay, s.admin_cookie);
  REQUIRE(agent->request(cmd("chat.join", {{"conversation_id", s.conv}, {"after_seq", 0}})).ok());

  // The customer uploads an image with their visitor token (no cookie).
  const std::string image = png(2 * 1024 * 1024);  // over the 1 MiB JSON body limit: uploads have their own
  auto up = upload(relay, s.conv, image, visitor(s.customer.token), "Screen%20shot%20%C3%A9.png");
  INFO(up.body.substr(0, 500));
  REQUIRE(up.status == 201);
  const Json att = up.json()["attachment"];
  CHECK(att.value("content_type", "") == "image/png");
  CHECK(att.value("name", "") == "Screen shot \xC3\xA9.png");
  CHECK(att.value("size", 0) == image.size());
  CHECK(att.value("scan_status", "") == "not_scanned");
  const std::string id = att.value("id", "");
  REQUIRE(id.rfind("att_", 0) == 0);
  const std::int64_t seq = up.json().value("seq", 0);
  CHECK(seq > 0);

  // Persist, ack, broadcast: both sides receive the chat.new_message of kind file.
  auto has_file = [&](const std::string& att_id) {
    return [&, att_id](const Json& f) {
      const Json& m = message_of(f);
      return f.value("type", "") == "chat.new_message" && m.is_object() && m.value("kind", "") == "file" &&
             m.contains("attachment") && m["attachment"].value("id", "") == att_id;
    };
  };
  Json on_agent = agent->wait_for(has_file(id), "the customer's file on the agent's socket");
  CHECK(message_of(on_agent)["attachment"].value("content_type", "") == "image/png");
  CHECK(message_of(on_agent).value("text", "") == "Screen shot \xC3\xA9.png");
  CHECK(message_of(on_agent)["sender"].value("role", "") == "customer");
  s.customer->wait_for(has_file(id), "the customer's own file on their socket");

  // Both download it: the same bytes; images inline; nosniff and the sandbox CSP always.
  for (const Headers& who : {visitor(s.customer.token), browser(relay, s.admin_cookie)}) {
    auto d = download(relay, id, who);
    REQUIRE(d.status == 200);
    CHECK(d.body == image);
    CHECK(d.header("content-type") == "image/png");
    CHECK(d.header("content-disposition").rfind("inline;", 0) == 0);
    CHECK(d.header("content-disposition").find("filename*=UTF-8''Screen%20shot%20%C3%A9.png") != std::string::npos);
    CHECK(d.header("x-content-type-options") == "nosniff");
    CHECK(d.header("content-security-policy") == "sandbox; default-src 'none'");
  }

  // The agent (the assignee) sends a PDF back with the session cookie.
  auto back = upload(relay, s.conv, kPdf, browser(relay, s.admin_cookie), "invoice.pdf");
  INFO(back.body);
  REQUIRE(back.status == 201);
  const std::string pdf_id = back.json()["attachment"].value("id", "");
  s.customer->wait_for(has_file(pdf_id), "the agent's file on the customer's socket");
  auto d = download(relay, pdf_id, visitor(s.customer.token));
  REQUIRE(d.status == 200);
  CHECK(d.body == kPdf);
  CHECK(d.header("content-type") == "application/pdf");
  CHECK(d.header("content-disposition").rfind("attachment;", 0) == 0);
  CHECK(d.header("content-security-policy") == "sandbox; default-src 'none'");

  // Stored: the rows, the transcript (REST) carries the attachment, the bytes are content-addressed files.
  CHECK(attachment_rows(relay) == 2);
  CHECK(file_messages(relay) == 2);
  auto msgs = http_get(relay.port(), "/api/v1/conversations/" + s.conv + "/messages", browser(relay, s.admin_cookie));
  REQUIRE(msgs.status == 200);
  int with_attachment = 0;
  for (const Json& m : Json(msgs.json()["messages"])) {
    if (m.value("kind", "") == "file" && m.contains("attachment")) ++with_attachment;
  }
  CHECK(with_attachment == 2);
  const std::string sha = att.value("sha256", "");
  REQUIRE(sha.size() == 64);
  CHECK(read_file(relay.data_dir() + "/files/" + sha.substr(0, 2) + "/" + sha) == image);

  // A resumed customer replays the file message with its attachment.
  Customer again = Customer::connect(relay, s.customer.token);
  auto join = again->request(cmd("chat.join", {{"conversation_id", s.conv}, {"after_seq", 0}}));
  REQUIRE(join.ok());
  again->wait_for(has_file(id), "the file message in the replay");

  // Idempotent: the same Idempotency-Key stores one message.
  Headers key = visitor(s.customer.token);
  key.emplace_back("Idempotency-Key", "upload-once");
  auto first = upload(relay, s.conv, png(), key);
  auto second = upload(relay, s.conv, png(), key);
  CHECK(first.status == 201);
  CHECK(second.status == 200);
  CHECK(second.json().value("duplicate", false));
  CHECK(first.json().value("seq", 0) == second.json().value("seq", -1));
  CHECK(file_messages(relay) == 3);
}

TEST_CASE("attachments: who may upload and download (authorisation matrix, other customers, API keys)") {
  Relay relay(RelayOptions::with_args(kNoRestLimit));
  const std::string read_key = relay.create_api_key("att-read", "read");
  const std::string write_key = relay.create_api_key("att-write", "read,write");
  const std::string sync_key = relay.create_api_key("att-sync", "sync");
  relay.start();
  relay.create_user("agent2", "agent2-password-1", "agent");
  Scene s = scene(relay);
  auto up = upload(relay, s.conv, png(), visitor(s.customer.token));
  REQUIRE(up.status == 201);
  const std::string id = up.json()["attachment"].value("id", "");
  const std::string agent2 = browser(relay, login(relay, "agent2", "agent2-password-1"))[0].second;
  Customer stranger = Customer::connect(relay);
  const std::string other_conv = stranger.start();

  struct Case {
    const char* who;
    Headers h;
    int upload_status, download_status;
  };
  const Case cases[] = {
      {"no credentials", {}, 401, 401},
      {"an unknown visitor token", visitor("not-a-token"), 401, 401},
      {"the conversation's customer", visitor(s.customer.token), 201, 200},
      {"another customer of the tenant", visitor(stranger.token), 404, 404},
      {"the assigned agent (cookie)", browser(relay, s.admin_cookie), 201, 200},
      {"another agent (not assigned)", browser(relay, agent2), 409, 200},
      {"a cookie from a foreign Origin", {{"Cookie", s.admin_cookie}, {"Origin", "https://evil.example"}}, 403, 200},
      {"an API key with read", bearer(read_key), 403, 200},
      {"an API key with read,write (files come from a person)", bearer(write_key), 403, 200},
      {"an API key with sync only", bearer(sync_key), 403, 403},
  };
  for (const Case& c : cases) {
    INFO(c.who);
    auto u = upload(relay, s.conv, png(), c.h);
    INFO(u.body.substr(0, 300));
    CHECK(u.status == c.upload_status);
    CHECK(download(relay, id, c.h).status == c.download_status);
  }
  // The stranger's own conversation is theirs; an unknown id is 404 for everyone.
  CHECK(upload(relay, other_conv, png(), visitor(stranger.token)).status == 201);
  CHECK(download(relay, "att_doesnotexist", browser(relay, s.admin_cookie)).status == 404);
  CHECK(download(relay, "att_doesnotexist", visitor(s.customer.token)).status == 404);
  CHECK(upload(relay, "c_doesnotexist", png(), browser(relay, s.admin_cookie)).status == 404);
}

TEST_CASE("attachments: tenant isolation (staff, keys and customers of one tenant never reach another's files)") {
  Relay relay(RelayOptions::with_args(kNoRestLimit));
  ctl_ok(relay, {"tenant", "create", "acme", "--name", "Acme"});
  const std::string acme_key = relay.create_api_key_with_id("acme-read", "read", "acme").key;
  relay.start();
  ctl_ok(relay, {"--tenant", "acme", "users", "create", "acme-admin", "--role", "admin", "--password", "acme-password-1"});
  Scene d = scene(relay);
  Scene a = scene(relay, "acme", "acme-admin", "acme-password-1");
  auto ud = upload(relay, d.conv, png(), visitor(d.customer.token));
  auto ua = upload(relay, a.conv, kPdf, visitor(a.customer.token), "acme.pdf");
  REQUIRE(ud.status == 201);
  REQUIRE(ua.status == 201);
  const std::string id_d = ud.json()["attachment"].value("id", "");
  const std::string id_a = ua.json()["attachment"].value("id", "");

  CHECK(download(relay, id_d, browser(relay, a.admin_cookie)).status == 404);
  CHECK(download(relay, id_d, bearer(acme_key)).status == 404);
  CHECK(download(relay, id_d, visitor(a.customer.token)).status == 404);
  CHECK(download(relay, id_a, browser(relay, d.admin_cookie)).status == 404);
  CHECK(download(relay, id_a, visitor(d.customer.token)).status == 404);
  CHECK(download(relay, id_a, bearer(acme_key)).status == 200);
  CHECK(upload(relay, d.conv, png(), browser(relay, a.admin_cookie)).status == 404);
  CHECK(upload(relay, d.conv, png(), visitor(a.customer.token)).status == 404);
  CHECK(upload(relay, a.conv, png(), visitor(d.customer.token)).status == 404);
  CHECK(attachment_rows(relay) == 2);
}

TEST_CASE("attachments: refusals say why, store nothing; the type is decided by the bytes") {
  Relay relay(RelayOptions::with_args(kNoRestLimit));
  relay.start();
  Scene s = scene(relay);
  const Headers cust = visitor(s.customer.token);
  const Headers admin = browser(relay, s.admin_cookie);
  auto code = [](const HttpResult& r) { return r.json()["error"].value("code", ""); };

  // Bytes no allowed type has: an executable named .png.
  auto exe = upload(relay, s.conv, bytes({0x7F, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0}), cust, "cat.png");
  CHECK(exe.status == 415);
  CHECK(code(exe) == "unknown_file_type");
  // A known type the tenant does not allow (docx is not in the default list).
  std::string docx = bytes({'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 19, 0, 0, 0});
  docx += "[Content_Types].xmlPK..word/document.xml";
  auto office = upload(relay, s.conv, docx, cust, "letter.docx");
  CHECK(office.status == 415);
  CHECK(code(office) == "file_type_not_allowed");
  CHECK(office.json()["error"].value("message", "").find("wordprocessingml") != std::string::npos);
  // Empty.
  auto empty = upload(relay, s.conv, "", cust);
  CHECK(empty.status == 400);
  CHECK(code(empty) == "empty_file");
  // A bad X-File-Name escape.
  auto badname = upload(relay, s.conv, png(), cust, "bad%zzname");
  CHECK(badname.status == 400);
  CHECK(attachment_rows(relay) == 0);
  CHECK(file_messages(relay) == 0);

  // The tenant's limit and allow-list are settings; bad values are refused.
  CHECK(http(relay.port(), "PATCH", "/api/v1/settings", R"({"attachment_types":["text/html"]})", admin).status == 400);
  CHECK(http(relay.port(), "PATCH", "/api/v1/settings", R"({"attachment_max_bytes":0})", admin).status == 400);
  CHECK(http(relay.port(), "PATCH", "/api/v1/settings", R"({"attachment_max_bytes":999999999999})", admin).status == 400);
  auto patched = http(relay.port(), "PATCH", "/api/v1/settings",
                      R"({"attachment_max_bytes":100,"attachment_types":["image/png","text/plain"]})", admin);
  INFO(patched.body);
  REQUIRE(patched.status == 200);
  auto big = upload(relay, s.conv, png(101), cust);
  CHECK(big.status == 413);
  CHECK(code(big) == "file_too_large");
  CHECK(big.json()["error"].value("message", "").find("100 bytes") != std::string::npos);
  auto pdf = upload(relay, s.conv, kPdf, cust, "doc.pdf");
  CHECK(pdf.status == 415);
  CHECK(code(pdf) == "file_type_not_allowed");
  CHECK(upload(relay, s.conv, png(100), cust).status == 201);

  // HTML is text by its bytes: stored and served as text/plain, as a download, never as a page;
  // a path and quotes in the name are dropped.
  auto html = upload(relay, s.conv, "<html><script>alert(1)</script></html>", cust, "..%2F..%2Fx%22y.html");
  INFO(html.body);
  REQUIRE(html.status == 201);
  const Json ha = html.json()["attachment"];
  CHECK(ha.value("content_type", "") == "text/plain; charset=utf-8");
  CHECK(ha.value("name", "") == "xy.html");
  auto served = download(relay, ha.value("id", ""), cust);
  CHECK(served.header("content-type") == "text/plain; charset=utf-8");
  CHECK(served.header("content-disposition").rfind("attachment;", 0) == 0);
  CHECK(served.header("x-content-type-options") == "nosniff");
  CHECK(attachment_rows(relay) == 2);

  // Customers cannot forge a file message over the WebSocket.
  auto forged = s.customer->request(cmd("chat.send_message", {{"conversation_id", s.conv}, {"client_msg_id", "f1"},
                                                              {"kind", "file"}, {"text", "x.png"}}));
  CHECK_FALSE(forged.ok());
}

// ---- virus scanning through clamd (the stand-in under tools/ speaks its INSTREAM protocol) ----------

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

// tools/clamd_standin as a child process on a free loopback port.
struct ClamdStandin {
  pid_t pid = -1;
  int port = 0;
  explicit ClamdStandin(const std::string& dir) {
    const std::string bin = ctl_binary().substr(0, ctl_binary().rfind('/')) + "/clamd_standin";
    const std::string port_file = dir + "/clamd.port";
    pid = ::fork();
    if (pid == 0) {
      ::execl(bin.c_str(), bin.c_str(), "--port-file", port_file.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    REQUIRE(pid > 0);
    REQUIRE(wait_until([&] { return file_exists(port_file); }));
    port = std::stoi(read_file(port_file));
  }
  void stop() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      pid = -1;
    }
  }
  ~ClamdStandin() { stop(); }
};

}  // namespace

TEST_CASE("attachments: with --clamd-socket, uploads are scanned; a virus is refused and nothing stored") {
  char tmpl[] = "/tmp/parley-clamd-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  ClamdStandin clamd(tmpl);
  std::vector<std::string> args = kNoRestLimit;
  args.push_back("--clamd-socket");
  args.push_back("tcp:127.0.0.1:" + std::to_string(clamd.port));
  Relay relay(RelayOptions::with_args(args));
  relay.start();
  Scene s = scene(relay);
  const Headers cust = visitor(s.customer.token);

  auto clean = upload(relay, s.conv, png(), cust);
  INFO(clean.body);
  REQUIRE(clean.status == 201);
  CHECK(clean.json()["attachment"].value("scan_status", "") == "clean");

  // The EICAR test string: plain text by its bytes, a virus to every scanner.
  const std::string eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
  auto infected = upload(relay, s.conv, eicar, cust, "readme.txt");
  INFO(infected.body);
  CHECK(infected.status == 422);
  CHECK(infected.json()["error"].value("code", "") == "file_infected");
  CHECK(infected.json()["error"].value("message", "").find("Eicar") != std::string::npos);
  CHECK(attachment_rows(relay) == 1);
  CHECK(file_messages(relay) == 1);

  // A configured scanner that cannot scan lets nothing through.
  clamd.stop();
  auto down = upload(relay, s.conv, png(), cust);
  CHECK(down.status == 503);
  CHECK(attachment_rows(relay) == 1);
  std::error_code ec;
  std::filesystem::remove_all(tmpl, ec);
}

TEST_CASE("attachments: parleyctl backup and export cover the files") {
  Relay relay(RelayOptions::with_args(kNoRestLimit));
  relay.start();
  Scene s = scene(relay);
  const std::string image = png(5000);
  auto up = upload(relay, s.conv, image, visitor(s.customer.token));
  REQUIRE(up.status == 201);
  const std::string sha = up.json()["attachment"].value("sha256", "");
  const std::string id = up.json()["attachment"].value("id", "");
  REQUIRE(sha.size() == 64);

  // A backup of the live relay: the database copy and the files it names.
  const std::string dest = relay.dir() + "/backup.db";
  auto b = relay.ctl({"backup", dest});
  INFO(b.out << b.err);
  REQUIRE(b.exit_code == 0);
  CHECK(b.out.find("copied 1 attachment file(s)") != std::string::npos);
  CHECK(read_file(dest + ".files/" + sha.substr(0, 2) + "/" + sha) == image);
  // A second backup to the same place is refused (never overwrites).
  CHECK(relay.ctl({"backup", dest}).exit_code != 0);

  // The export lists the conversation's attachments; --files copies their bytes.
  const std::string out = relay.dir() + "/export.jsonl", files = relay.dir() + "/export-files";
  auto e = relay.ctl({"export", "--out", out, "--files", files});
  INFO(e.out << e.err);
  REQUIRE(e.exit_code == 0);
  const std::string text = read_file(out);
  CHECK(text.find("\"attachments\":[{") != std::string::npos);
  CHECK(text.find(id) != std::string::npos);
  CHECK(read_file(files + "/files/" + sha.substr(0, 2) + "/" + sha) == image);
}
