// parley-smtp-standin: the stand-in SMTP server (smtp_standin.hpp) as a program, for end-to-end
// tests and trying mail by hand.
//   parley-smtp-standin [--port N] [--port-file FILE] [--out FILE.jsonl] [--fail-rcpt N]
// Writes its port to --port-file once listening; appends one JSON line per accepted message to
// --out ({"from","to":[...],"auth","subject","body"}) and prints it on stdout. Stops on SIGTERM/SIGINT.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "smtp_standin.hpp"

int main(int argc, char** argv) {
  int port = 0, fail = 0;
  std::string port_file, out;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--port") port = std::stoi(v);
    else if (k == "--port-file") port_file = v;
    else if (k == "--out") out = v;
    else if (k == "--fail-rcpt") fail = std::stoi(v);
    else {
      std::cerr << "unknown option " << k << "\n";
      return 2;
    }
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  parley::standin::SmtpStandin s;
  s.fail_rcpt = fail;
  s.on_mail = [out](const parley::standin::ReceivedMail& m) {
    nlohmann::json j{{"from", m.from}, {"to", m.to}, {"auth", m.auth}, {"subject", m.header("Subject")},
                     {"body", m.body()}};
    const std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (!out.empty()) {
      std::ofstream f(out, std::ios::app);
      f << line << "\n";
    }
    std::cout << line << std::endl;
  };
  const auto p = s.start(static_cast<std::uint16_t>(port));
  if (p == 0) {
    std::perror("listen");
    return 1;
  }
  if (!port_file.empty()) {
    std::ofstream tmp(port_file + ".tmp");
    tmp << p << "\n";
    tmp.close();
    std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  }
  std::cerr << "parley-smtp-standin listening on 127.0.0.1:" << p << std::endl;
  int sig = 0;
  sigwait(&set, &sig);
  s.stop();
  return 0;
}
