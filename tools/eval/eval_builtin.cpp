// tools/eval/eval_builtin.cpp: scores the built-in assistant's turns (parley/assistant_turn.hpp) on
// a labelled set (tests/eval/README.md) in process: the same code the relay runs, without the
// network. `make eval` runs it on the development part; `--heldout` scores the held-out part.
//
// usage: parley-eval-builtin [--set FILE] [--kb-dir DIR] [--json] [--show-misses CLASS|all]
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "parley/assistant_turn.hpp"
#include "parley/model.hpp"

namespace {

using parley::Json;

struct Kb {
  std::vector<parley::KbArticle> articles;
  parley::KbIndex index;
};

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct Counts {
  int n = 0;
  int tp = 0, fp = 0, fn = 0;         // hand-off as the positive class
  int offer_expected = 0, offer_right = 0, offer_spurious = 0;
  int article_expected = 0, article_right = 0;
  int clarify_expected = 0, clarify_right = 0;
  int correct = 0;  // decision right (and article right where one is expected)
};

double ratio(int a, int b) { return b == 0 ? 0.0 : static_cast<double>(a) / b; }

Json summary(const Counts& c) {
  const double p = ratio(c.tp, c.tp + c.fp), r = ratio(c.tp, c.tp + c.fn);
  return Json{{"items", c.n},
              {"handoff_precision", p},
              {"handoff_recall", r},
              {"handoff_f1", p + r == 0 ? 0.0 : 2 * p * r / (p + r)},
              {"offer_accuracy", ratio(c.offer_right, c.offer_expected)},
              {"offer_spurious", c.offer_spurious},
              {"right_article", ratio(c.article_right, c.article_expected)},
              {"clarify_rate", ratio(c.clarify_right, c.clarify_expected)},
              {"all_right", ratio(c.correct, c.n)}};
}

}  // namespace

int main(int argc, char** argv) {
  std::string set = "tests/eval/dev.jsonl", kb_dir = "tests/eval/kb", show;
  bool json_out = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--set" && i + 1 < argc) set = argv[++i];
    else if (a == "--heldout") set = "tests/eval/heldout.jsonl";
    else if (a == "--kb-dir" && i + 1 < argc) kb_dir = argv[++i];
    else if (a == "--json") json_out = true;
    else if (a == "--show-misses" && i + 1 < argc) show = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--set FILE | --heldout] [--kb-dir DIR] [--json] [--show-misses CLASS|all]\n", argv[0]);
      return 2;
    }
  }
  std::map<std::string, Kb> kbs;
  std::ifstream in(set);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", set.c_str());
    return 1;
  }
  Counts total;
  std::map<std::string, Counts> by_class, by_lang;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const Json item = Json::parse(line);
    const std::string kb_name = item.at("kb").get<std::string>();
    auto it = kbs.find(kb_name);
    if (it == kbs.end()) {
      const Json doc = Json::parse(read_file(kb_dir + "/" + kb_name + ".json"));
      Kb kb;
      for (const Json& a : doc.at("articles")) {
        parley::KbArticle art;
        art.id = a.at("id").get<std::string>();
        art.title = a.at("title").get<std::string>();
        art.body = a.at("body").get<std::string>();
        art.language = a.value("language", std::string());
        for (const Json& k : a.value("keywords", Json::array())) art.keywords.push_back(k.get<std::string>());
        kb.articles.push_back(std::move(art));
      }
      kb.index = parley::KbIndex(kb.articles);
      it = kbs.emplace(kb_name, std::move(kb)).first;
    }
    const Kb& kb = it->second;
    // The conversation's state after its last turn: a hand-off or an offer at any turn stays.
    parley::AssistantMemory memory;
    parley::AssistantTurn last;
    bool handed_off = false, offered = false;
    for (const Json& turn : item.at("turns")) {
      last = parley::assistant_turn(turn.get<std::string>(), kb.index, memory);
      if (last.kind == parley::TurnKind::handoff) {
        handed_off = true;
        break;
      }
      offered = offered || last.kind == parley::TurnKind::offer;
    }
    const std::string got = handed_off ? "handoff" : offered ? "offer" : "answer";
    const std::string expected = item.at("expected").get<std::string>();
    const std::string want_article = item.value("article", Json()).is_string() ? item["article"].get<std::string>() : "";
    const std::string got_article =
        !handed_off && !offered && last.article ? kb.articles[*last.article].id : std::string();
    const bool clarify = item.value("clarify", false);
    bool right = got == expected;
    for (Counts* c : {&total, &by_class[item.at("class").get<std::string>()], &by_lang[item.at("lang").get<std::string>()]}) {
      ++c->n;
      if (expected == "handoff" && got == "handoff") ++c->tp;
      if (expected != "handoff" && got == "handoff") ++c->fp;
      if (expected == "handoff" && got != "handoff") ++c->fn;
      if (expected == "offer") ++c->offer_expected, c->offer_right += got == "offer";
      if (expected != "offer" && got == "offer") ++c->offer_spurious;
      if (!want_article.empty()) ++c->article_expected, c->article_right += got_article == want_article;
      if (clarify) ++c->clarify_expected, c->clarify_right += got == "answer" && last.kind == parley::TurnKind::clarify;
    }
    if (!want_article.empty()) right = right && got_article == want_article;
    if (clarify) right = right && last.kind == parley::TurnKind::clarify;
    total.correct += right;
    by_class[item.at("class").get<std::string>()].correct += right;
    by_lang[item.at("lang").get<std::string>()].correct += right;
    if (!right && (show == "all" || show == item.at("class").get<std::string>())) {
      std::printf("MISS %s [%s] expected %s%s%s, got %s%s%s (%s, %s) :: %s\n", item.at("id").get<std::string>().c_str(),
                  item.at("class").get<std::string>().c_str(), expected.c_str(), want_article.empty() ? "" : " ",
                  want_article.c_str(), got.c_str(), got_article.empty() ? "" : " ", got_article.c_str(),
                  std::string(parley::to_string(last.kind)).c_str(), last.verdict.rule.c_str(),
                  item.at("turns").dump().c_str());
      if (std::getenv("EVAL_SCORES")) {
        for (const parley::KbHit& h : kb.index.search(item.at("turns").back().get<std::string>(), 3))
          std::printf("      %.2f cov %.2f %s\n", h.score, h.coverage, kb.articles[h.index].id.c_str());
      }
    }
  }
  Json out{{"set", set}, {"total", summary(total)}};
  for (const auto& [k, c] : by_class) out["by_class"][k] = summary(c);
  for (const auto& [k, c] : by_lang) out["by_language"][k] = summary(c);
  if (json_out) {
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  auto row = [](const std::string& name, const Json& s) {
    std::printf("| %-22s | %4d | %.2f | %.2f | %.2f | %.2f | %3d | %.2f | %.2f | %.2f |\n", name.c_str(),
                s["items"].get<int>(), s["handoff_precision"].get<double>(), s["handoff_recall"].get<double>(),
                s["handoff_f1"].get<double>(), s["offer_accuracy"].get<double>(), s["offer_spurious"].get<int>(),
                s["right_article"].get<double>(), s["clarify_rate"].get<double>(), s["all_right"].get<double>());
  };
  std::printf("| %-22s | %4s | %4s | %4s | %4s | %4s | %3s | %4s | %4s | %4s |\n", "", "n", "h-P", "h-R", "h-F1",
              "offr", "sp", "art", "clar", "all");
  row("total", out["total"]);
  for (auto& [k, s] : out["by_class"].items()) row(k, s);
  for (auto& [k, s] : out["by_language"].items()) row("lang " + k, s);
  return 0;
}
