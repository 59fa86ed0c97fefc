// parley-graph-standin: the Graph API stand-in (graph_standin.hpp) as a program, for trying the
// WhatsApp channel by hand. Usage: parley-graph-standin [--port N] [--token T] [--rate N]
// Prints the base URL, then every accepted send as one JSON line, until killed.
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>

#include "graph_standin.hpp"

int main(int argc, char** argv) {
  std::uint16_t port = 0;
  std::string token = "test-token";
  double rate = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--port") port = static_cast<std::uint16_t>(std::atoi(v.c_str()));
    else if (k == "--token") token = v;
    else if (k == "--rate") rate = std::atof(v.c_str());
  }
  parley::standin::GraphStandin g(token);
  g.set_rate_per_s(rate);
  if (g.start(port) == 0) {
    std::cerr << "parley-graph-standin: cannot listen\n";
    return 1;
  }
  std::cout << g.base_url() << std::endl;
  std::size_t shown = 0;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const auto sent = g.sent();
    for (; shown < sent.size(); ++shown) std::cout << sent[shown].body.dump() << std::endl;
  }
}
