// The built-in assistant's hand-off decision (parley/handoff_rules.hpp).
//
// Text is cut into clauses (at , . ; : ! ? and line breaks) and each clause into folded words
// (parley/words.hpp). Phrases are lists of folded words; a word ending in '*' matches by prefix.
// Negation and reported speech are judged inside one clause, so "No, I want an agent" is a
// request and "no need for an agent, how do I ..." is not.
#include "parley/handoff_rules.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <initializer_list>
#include <optional>

#include "parley/words.hpp"

namespace parley {
namespace {

using Words = std::vector<std::string>;

// ---- clauses and phrases ------------------------------------------------------------------

bool is_clause_break(char c) {
  return c == ',' || c == '.' || c == ';' || c == ':' || c == '!' || c == '?' || c == '\n' || c == '\r';
}

std::vector<Words> clauses_of(std::string_view text) {
  std::vector<Words> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    // "¿" and "¡" open a clause; the closing mark ends it.
    if (i == text.size() || is_clause_break(text[i])) {
      Words w = fold_words(text.substr(start, i - start));
      if (!w.empty()) out.push_back(std::move(w));
      start = i + 1;
    }
  }
  return out;
}

struct Phrase {
  Words words;
};

// Phrases are written as the text they match ("didn t" or "didn't" both fold to "did not"); a
// word ending in '*' matches by prefix.
std::vector<Phrase> phrases(std::initializer_list<std::string_view> list) {
  static constexpr std::string_view kStar = "qqstarqq";
  std::vector<Phrase> out;
  for (std::string_view p : list) {
    std::string text;
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (p[i] == '*') {
        text += kStar;
      } else if (p[i] == ' ' && i > 0 && p[i - 1] == 'n' && i + 1 < p.size() && p[i + 1] == 't' &&
                 (i + 2 == p.size() || p[i + 2] == ' ')) {
        text += '\'';  // "didn t" as written in the lists below: "didn't"
      } else {
        text += p[i];
      }
    }
    Words w = fold_words(text);
    for (std::string& x : w) {
      if (x.size() > kStar.size() && std::string_view(x).substr(x.size() - kStar.size()) == kStar) {
        x.resize(x.size() - kStar.size());
        x += '*';
      }
    }
    if (!w.empty()) out.push_back({std::move(w)});
  }
  return out;
}

bool word_matches(const std::string& pattern, const std::string& word) {
  if (!pattern.empty() && pattern.back() == '*') {
    const std::string_view stem(pattern.data(), pattern.size() - 1);
    return word.size() >= stem.size() && std::string_view(word).substr(0, stem.size()) == stem;
  }
  return pattern == word;
}

// Positions in `w` where `p` starts.
std::vector<std::size_t> find_all(const Words& w, const Phrase& p) {
  std::vector<std::size_t> at;
  if (p.words.empty() || w.size() < p.words.size()) return at;
  for (std::size_t i = 0; i + p.words.size() <= w.size(); ++i) {
    bool ok = true;
    for (std::size_t k = 0; k < p.words.size() && ok; ++k) ok = word_matches(p.words[k], w[i + k]);
    if (ok) at.push_back(i);
  }
  return at;
}

struct Hit {
  std::size_t pos = 0;
  std::size_t len = 0;
};
std::vector<Hit> hits_of(const Words& w, const std::vector<Phrase>& list) {
  std::vector<Hit> out;
  for (const Phrase& p : list)
    for (std::size_t at : find_all(w, p)) out.push_back({at, p.words.size()});
  return out;
}
bool has_any(const Words& w, const std::vector<Phrase>& list) { return !hits_of(w, list).empty(); }

// ---- the vocabulary (English, Spanish, French, German, Portuguese; folded) ----------------

const std::vector<Phrase>& person_nouns() {
  static const auto v = phrases({
      "agent", "agents", "human", "humans", "human being", "person", "real person", "representative",
      "representatives", "rep", "operator", "advisor", "adviser", "advisors", "advisers", "someone",
      "somebody", "anyone", "anybody", "staff member", "member of staff", "customer service*",
      "customer care", "live chat", "actual human", "a real one", "agente", "agentes", "persona",
      "humano", "asesor", "asesora", "operador", "operadora", "alguien", "representante", "conseiller",
      "conseillere", "humain", "une personne", "un humain", "quelqu un", "operateur", "mensch",
      "menschen", "einem menschen", "mitarbeiter", "mitarbeiterin", "berater", "beraterin", "jemand",
      "jemandem", "atendente", "pessoa", "uma pessoa", "alguem",
  });
  return v;
}

// Words that turn a person noun into something else ("travel agent", "agent login").
const std::vector<Phrase>& not_person() {
  static const auto v = phrases({"travel agent", "estate agent", "letting agent", "agent app", "agent login",
                                 "agent software", "user agent", "someone else s", "anyone else s"});
  return v;
}

// Talking verbs: with a person anywhere in the clause, a request ("someone I can talk to").
const std::vector<Phrase>& talk_verbs() {
  static const auto v = phrases({"talk", "speak", "chat", "hablar", "parler", "sprechen", "falar", "conversar",
                                 "discuss", "reden"});
  return v;
}

// Request cues that must come before the person ("connect me with a person").
const std::vector<Phrase>& request_cues() {
  static const auto v = phrases({
      "want", "need", "like", "connect", "transfer", "put me through", "put me", "pass me", "get me", "give me",
      "let me", "can i", "could i", "may i", "is it possible", "reach", "contact", "prefer", "rather",
      "quiero", "necesito", "quisiera", "puedo", "pasar", "pasame", "comunicar", "contactar", "veux",
      "voudrais", "besoin", "passer", "puis je", "mochte", "will", "brauche", "verbinden", "kann ich",
      "quero", "preciso", "gostaria", "posso", "passa",
  });
  return v;
}

// Politeness and fillers: a clause of a person noun and these only is a request ("agent please").
const std::vector<Phrase>& fillers() {
  static const auto v = phrases({"please", "pls", "plz", "now", "asap", "hello", "hi", "hey", "help", "i", "need",
                                 "a", "an", "the", "real", "actual", "live", "thanks", "thank", "you", "por",
                                 "favor", "un", "una", "s", "il", "vous", "plait", "bitte", "einen", "urgently",
                                 "urgent", "me", "um", "o", "ok", "just", "yes", "to", "with", "speak", "talk"});
  return v;
}

const std::vector<Phrase>& negators() {
  static const auto v = phrases({"no", "not", "never", "without", "nobody", "no one", "dont", "sin", "pas", "sans",
                                 "ne", "n", "kein", "keine", "keinen", "nicht", "ohne", "nao", "sem", "nem",
                                 "nunca", "jamais"});
  return v;
}

const std::vector<Phrase>& reporting_verbs() {
  static const auto v = phrases({"told", "said", "says", "say", "asked", "mentioned", "suggested", "explained",
                                 "promised", "gave", "sent", "recommended", "advised", "confirmed", "replied",
                                 "wrote", "called me", "dijo", "me dijo", "dice", "a dit", "m a dit", "disait",
                                 "hat gesagt", "sagte", "meinte", "disse", "falou", "me disse"});
  return v;
}

const std::vector<Phrase>& language_names() {
  static const auto v = phrases({"english", "german", "deutsch", "french", "francais", "spanish", "espanol",
                                 "portuguese", "portugues", "italian", "polish", "welsh", "bsl", "arabic",
                                 "urdu", "hindi", "englisch", "spanisch", "franzosisch", "ingles", "frances",
                                 "aleman", "anglais", "allemand", "espagnol", "portugais", "sign language"});
  return v;
}

const std::vector<Phrase>& emergency_phrases() {
  static const auto v = phrases({
      "can not breathe", "cannot breathe", "cant breathe", "not breathing", "struggling to breathe",
      "difficulty breathing", "trouble breathing", "short of breath", "chest pain*", "heart attack",
      "stroke", "face has dropped", "face is drooping", "slurred", "unconscious", "passed out", "collapsed",
      "not stop bleeding", "stop bleeding", "bleeding heavily", "bleeding badly", "lot of blood", "overdose*",
      "too many of my pills", "too many pills", "taken too many", "suicid*", "kill myself", "end my life",
      "harm myself", "self harm", "seizure", "fitting", "anaphyla*", "allergic reaction", "throat is swelling",
      "swallowed", "poison*", "this is an emergency", "it s an emergency", "its an emergency",
      "medical emergency", "emergency", "smoking", "smoke", "burning smell", "smell of burning", "on fire",
      "fire", "sparks", "gas leak", "electric shock", "hacked", "hacker*", "someone changed my password",
      "changed my password", "logged into my account", "someone is using", "someone s using", "fraud*",
      "scam*", "phishing", "fake email", "fake larkspur email", "entered my card details",
      "gave my card details", "sim swap", "ported out", "without my permission", "without permission",
      "unknown admin", "someone changed", "someone has changed", "someone else changed", "not me",
      "wasn t me", "was not me", "didn t request", "did not request", "identity theft", "stolen and", "being used",
      "no puedo respirar", "dolor en el pecho", "emergencia", "urgencia", "me han hackeado", "hackeado",
      "hackeada", "du mal a respirer", "ne respire", "douleur thoracique", "urgence", "pirate", "piratage",
      "arnaque", "gehackt", "atemnot", "keine luft", "brustschmerz*", "notfall", "betrug", "nao consigo respirar",
      "falta de ar", "dor no peito", "clonado", "clonaram", "golpe",
  });
  return v;
}

// Not an emergency now: questions about what to do in one.
const std::vector<Phrase>& emergency_questions() {
  static const auto v = phrases({"in an emergency", "in case of emergency", "in case of an emergency",
                                 "emergency appointment*", "emergency contact", "if there s a fire", "smoke alarm",
                                 "smoking cessation", "stop smoking", "quit smoking", "fire alarm", "en caso de emergencia",
                                 "en cas d urgence", "im notfall", "em caso de emergencia"});
  return v;
}

const std::vector<Phrase>& billing_dispute_phrases() {
  static const auto v = phrases({
      "charged twice", "charged me twice", "double charged", "double charge*", "charged two times", "two payments",
      "paid twice", "taken twice", "charged full price", "overcharg*", "over charged", "dispute*", "disputing",
      "unauthori* charge*", "nobody here authori*", "not authori*", "didn t authori*", "did not authori*",
      "still being charged", "still charged", "been charged", "being charged", "was charged", "were charged",
      "charged me", "charged my", "charged us", "charged our", "you ve charged", "have charged", "has charged",
      "got charged", "refund is declined", "refund was declined", "refund refused", "refused my refund",
      "refund declined", "not been refunded", "haven t been refunded", "never refunded", "not what i agreed",
      "wrong amount", "chargeback", "charge back", "cobrado duas vezes", "cobraram duas vezes", "cobrado dos veces",
      "cobraron dos veces", "me cobraron", "cobrança indevida", "cobranca indevida", "deux fois", "preleve deux",
      "contester", "conteste", "doppelt abgebucht", "zweimal abgebucht", "doppelt berechnet", "falsche rechnung",
      "widerspruch",
  });
  return v;
}

const std::vector<Phrase>& complaint_phrases() {
  static const auto v = phrases({
      "complaint", "complaints", "complain", "complaining", "lodge", "appalling", "disgrace*", "disgust*",
      "unacceptable", "fuming", "furious", "livid", "outrage*", "never ordering", "never again", "never buy",
      "cancel everything", "cancelling and", "canceling and", "leaving for another", "switching to another",
      "moving to another", "leaving a review", "bad review", "sue you", "lawyer", "solicitor", "ombudsman",
      "trading standards", "answer for it", "last time", "queja", "reclamacion", "reclamar", "denuncia",
      "plainte", "reclamation", "inadmissible", "scandaleux", "beschwerde", "beschweren", "unverschamt",
      "reclamacao", "queixa", "absurdo", "vergonha",
  });
  return v;
}

const std::vector<Phrase>& call_back_phrases() {
  static const auto v = phrases({
      "call me", "call back", "callback", "call me back", "ring me", "give me a ring", "give me a call",
      "phone me", "call my", "ring my", "number to call", "number i can call", "number for customer service*",
      "phone number", "telephone number", "contact number", "speak on the phone", "talk on the phone",
      "over the phone", "by phone", "book a call", "ring me back", "give us a call", "can someone call",
      "llamame", "llameme", "llamarme", "me llaman", "rappelez moi", "rappeler", "me rappeler", "appelez moi",
      "m appeler", "anrufen", "ruckruf", "zuruckrufen", "ruft mich", "ligar me", "ligue me", "ligue para mim",
      "me ligar", "pode ligar", "ligar-me",
  });
  return v;
}

// Team words; with a request cue and not reported, a request for that team.
const std::vector<Phrase>& team_words() {
  static const auto v = phrases({"team", "department", "dept", "reception", "dispensary", "patient services",
                                 "billing", "accounts", "sales", "retention*", "abteilung", "rechnungsabteilung",
                                 "kundendienst", "departamento", "equipo", "equipe", "service client", "recepcion",
                                 "recepcao", "faturamento", "facturation", "vendas", "ventas"});
  return v;
}
const std::vector<Phrase>& team_request_cues() {
  static const auto v = phrases({"talk to", "speak to", "speak with", "talk with", "pass me", "put me through",
                                 "connect me", "transfer me", "please", "can i talk", "can i speak", "i need your",
                                 "i d like to talk", "i d like to be connected", "be connected", "need to speak",
                                 "sprechen", "hablar con", "parler au", "parler a", "falar com", "bitte",
                                 "por favor", "s il vous plait"});
  return v;
}

const std::vector<Phrase>& frustration_phrases() {
  static const auto v = phrases({
      "not helping", "not helpful", "no help", "no use", "useless", "does not answer", "did not help",
      "did not answer", "same answer", "same thing", "repeating yourself", "stop giving me", "ridiculous",
      "frustrat*", "pointless", "waste of time", "none of them", "read every", "tried everything",
      "thanks for nothing", "fed up", "sick of", "rubbish", "hopeless", "what a joke", "not answering",
      "you are not", "no sirve", "inutil", "no me ayuda", "ne sert a rien", "hilft nicht", "nutzlos",
      "nao ajuda",
  });
  return v;
}
// Frustration only after the assistant answered something: "it still doesn't work" is a report of
// failure then, but a first "X does not work" is a question.
const std::vector<Phrase>& failure_after_answer() {
  static const auto v = phrases({
      "still not", "still nothing", "still invalid", "still does not", "still broken", "still the same",
      "already tried", "already done", "done that", "tried that", "not working", "does not work",
      "did not work", "nope", "so you can not", "brilliant", "you can not do anything", "ca ne marche pas",
      "funktioniert nicht", "nao funciona", "sigue sin", "toujours pas", "immer noch",
  });
  return v;
}
// Insisting on an answer the assistant could not give ("yes or no?").
const std::vector<Phrase>& insisting() {
  static const auto v = phrases({"yes or no", "just need to know", "just want to know", "just tell me",
                                 "simple question", "need to know if", "need an answer", "answer the question",
                                 "does it exist", "if that exists", "or not"});
  return v;
}
const std::vector<Phrase>& mild_annoyance() {
  static const auto v = phrases({"annoy*", "disappoint*", "meh", "not happy", "unhappy", "irritat*", "bit of a pain"});
  return v;
}

const std::vector<Phrase>& yes_words() {
  static const auto v = phrases({"yes", "yeah", "yep", "yup", "sure", "please", "yes please", "si",
                                 "oui", "ja", "sim", "claro", "bitte", "go ahead", "do it", "connect me"});
  return v;
}
const std::vector<Phrase>& no_words() {
  static const auto v = phrases({"no", "nope", "nah", "no thanks", "no thank you", "non", "nein", "nao", "not now",
                                 "i m fine", "im fine"});
  return v;
}

// ---- clause analysis ----------------------------------------------------------------------

bool negated_before(const Words& w, std::size_t pos, std::size_t window) {
  const std::size_t from = pos > window ? pos - window : 0;
  for (const Hit& h : hits_of(w, negators()))
    if (h.pos >= from && h.pos < pos) return true;
  return false;
}

bool reported_after(const Words& w, std::size_t pos, std::size_t len) {
  const std::size_t from = pos + len;
  for (const Hit& h : hits_of(w, reporting_verbs()))
    if (h.pos >= from && h.pos <= from + 3) return true;
  return false;
}

bool only_fillers(const Words& w, const Hit& noun) {
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (i >= noun.pos && i < noun.pos + noun.len) continue;
    bool filler = false;
    for (const Phrase& p : fillers()) filler = filler || (p.words.size() == 1 && word_matches(p.words[0], w[i]));
    if (!filler) return false;
  }
  return true;
}

bool inside(const Hit& h, const std::vector<Hit>& spans) {
  return std::any_of(spans.begin(), spans.end(),
                     [&](const Hit& s) { return h.pos >= s.pos && h.pos < s.pos + s.len; });
}

struct RequestScan {
  bool request = false;
  bool negated = false;
};

// Whether a clause asks for a person.
RequestScan scan_request(const Words& w, bool first_clause, const std::vector<Phrase>& tenant_answer) {
  RequestScan out;
  std::vector<Hit> excluded = hits_of(w, not_person());
  for (const Hit& h : hits_of(w, tenant_answer)) excluded.push_back(h);
  const std::vector<Hit> talks = hits_of(w, talk_verbs());
  const std::vector<Hit> cues = hits_of(w, request_cues());
  const bool language_follows = has_any(w, language_names());
  for (const Hit& noun : hits_of(w, person_nouns())) {
    if (inside(noun, excluded)) continue;
    if (reported_after(w, noun.pos, noun.len)) continue;
    const bool negated = negated_before(w, noun.pos, 6);
    bool asked = only_fillers(w, noun) || (first_clause && noun.pos == 0 && w.size() <= 3);
    // A talking verb anywhere in the clause ("someone I can talk to"), unless about a language
    // ("do your staff speak German?").
    if (!asked && !talks.empty() && !language_follows) asked = true;
    if (!asked) {
      for (const Hit& c : cues)
        if (c.pos < noun.pos && noun.pos - c.pos <= 6) asked = true;
    }
    if (!asked) continue;
    if (negated) {
      out.negated = true;
      continue;
    }
    out.request = true;
  }
  return out;
}

// The first hit of `list` in the clause that is not negated just before it.
std::optional<Hit> topic_hit(const Words& w, const std::vector<Phrase>& list, std::size_t window = 2) {
  for (const Hit& h : hits_of(w, list))
    if (!negated_before(w, h.pos, window)) return h;
  return std::nullopt;
}

std::string team_named(const Words& w) {
  static const std::array<std::pair<std::string_view, std::string_view>, 12> kTeams = {{
      {"billing", "billing"}, {"accounts", "billing"}, {"rechnungsabteilung", "billing"}, {"facturation", "billing"},
      {"faturamento", "billing"}, {"sales", "sales"}, {"ventas", "sales"}, {"vendas", "sales"},
      {"technical", "technical"}, {"tech", "technical"}, {"faults", "technical"}, {"reception", "reception"},
  }};
  for (const std::string& word : w)
    for (const auto& [key, team] : kTeams)
      if (word == key) return std::string(team);
  return {};
}

}  // namespace

std::string_view to_string(HandoffDecision d) {
  switch (d) {
    case HandoffDecision::answer: return "answer";
    case HandoffDecision::offer: return "offer";
    case HandoffDecision::handoff: return "handoff";
  }
  return "answer";
}

// ---- sentiment --------------------------------------------------------------------------

double sentiment_of(std::string_view text) {
  static const auto negative = phrases({
      "useless", "terrible", "awful", "horrible", "worst", "hate", "angry", "furious", "fuming", "livid",
      "ridiculous", "pathetic", "rubbish", "garbage", "joke", "disgrace*", "appalling", "unacceptable",
      "frustrat*", "annoy*", "disappoint*", "fed up", "sick of", "nonsense", "stupid", "incompetent", "pointless",
      "hopeless", "bad", "poor", "upset", "unhappy", "shocking", "outrage*", "nightmare", "waste",
      "pesimo", "harto", "inutil", "verguenza", "horrible", "nul", "inutile", "honteux", "marre", "inadmissible",
      "schlecht", "schrecklich", "unverschamt", "nutzlos", "argerlich", "pessimo", "horrivel", "absurdo",
      "vergonha", "irritad*",
  });
  static const auto positive = phrases({
      "thanks", "thank", "great", "perfect", "good", "excellent", "love", "awesome", "helpful", "cheers",
      "wonderful", "amazing", "brilliant", "nice", "happy", "pleased", "gracias", "genial", "perfecto",
      "merci", "super", "parfait", "danke", "prima", "toll", "obrigado", "obrigada", "otimo", "perfeito",
  });
  double pos = 0, neg = 0;
  for (const Words& w : clauses_of(text)) {
    for (const Hit& h : hits_of(w, negative)) (negated_before(w, h.pos, 2) ? pos : neg) += 1;
    for (const Hit& h : hits_of(w, positive)) {
      const bool polite = w[h.pos] == "thanks" || w[h.pos] == "thank";  // "no thanks" is not negative
      (!polite && negated_before(w, h.pos, 2) ? neg : pos) += 1;
    }
  }
  // Shouting: "!!" and words in capitals strengthen what is there.
  const bool shouting = text.find("!!") != std::string_view::npos || text.find("??") != std::string_view::npos;
  if (pos + neg == 0) return shouting ? -0.3 : 0.0;
  double s = (pos - neg) / (pos + neg);
  if (shouting && s < 0) s = std::max(-1.0, s * 1.2);
  return s * std::min(1.0, 0.5 + 0.25 * (pos + neg));
}

bool is_yes(std::string_view text) {
  const std::vector<Words> c = clauses_of(text);
  if (c.empty() || c.front().size() > 4) return false;
  return std::any_of(yes_words().begin(), yes_words().end(), [&](const Phrase& p) {
    const auto at = find_all(c.front(), p);
    return !at.empty() && at.front() == 0;
  });
}

bool is_no(std::string_view text) {
  const std::vector<Words> c = clauses_of(text);
  if (c.empty()) return false;
  const Words& w = c.front();
  return w.size() <= 4 && std::any_of(no_words().begin(), no_words().end(), [&](const Phrase& p) {
           const auto at = find_all(w, p);
           return !at.empty() && at.front() == 0;
         });
}

// ---- the decision -------------------------------------------------------------------------

HandoffVerdict decide_handoff(std::string_view text, const HandoffContext& ctx, const HandoffConfig& config) {
  HandoffVerdict v;
  v.sentiment = sentiment_of(text);
  const std::vector<Words> clauses = clauses_of(text);
  std::vector<Phrase> tenant_answer, tenant_handoff, tenant_offer;
  for (const std::string& p : config.answer_phrases) tenant_answer.push_back({fold_words(p)});
  for (const std::string& p : config.handoff_phrases) tenant_handoff.push_back({fold_words(p)});
  for (const std::string& p : config.offer_phrases) tenant_offer.push_back({fold_words(p)});

  auto verdict = [&](HandoffDecision d, std::string_view rule, std::string_view priority) {
    v.decision = d;
    v.rule = std::string(rule);
    v.priority = std::string(priority);
    return v;
  };

  if (ctx.offered && is_yes(text)) return verdict(HandoffDecision::handoff, kRuleAcceptedOffer, "normal");

  // Emergencies first: "I don't know if it's serious but I can't breathe" is one.
  for (const Words& w : clauses) {
    if (has_any(w, emergency_questions())) continue;
    if (topic_hit(w, emergency_phrases(), 1)) return verdict(HandoffDecision::handoff, kRuleEmergency, "urgent");
  }
  bool requested = false, negated = false;
  for (std::size_t i = 0; i < clauses.size(); ++i) {
    const RequestScan r = scan_request(clauses[i], i == 0, tenant_answer);
    requested = requested || r.request;
    negated = negated || r.negated;
  }
  v.negated_request = negated && !requested;
  if (requested) {
    for (const Words& w : clauses) v.team = v.team.empty() ? team_named(w) : v.team;
    return verdict(HandoffDecision::handoff, kRuleAsked, "normal");
  }
  const bool team_cue = std::any_of(clauses.begin(), clauses.end(), [](const Words& w) { return has_any(w, team_request_cues()); });
  for (const Words& w : clauses) {
    if (!team_cue) break;
    for (const Hit& h : hits_of(w, team_words())) {
      if (negated_before(w, h.pos, 8) || reported_after(w, h.pos, h.len)) continue;
      v.team = team_named(w);
      return verdict(HandoffDecision::handoff, kRuleNamedTeam, "normal");
    }
  }
  for (const Words& w : clauses) {
    for (const Hit& h : hits_of(w, call_back_phrases())) {
      if (negated_before(w, h.pos, 4) || reported_after(w, h.pos, h.len)) continue;
      // "when they ring me", "if you call me": a question about a call, not a request.
      bool conditional = false;
      for (std::size_t k = h.pos > 3 ? h.pos - 3 : 0; k < h.pos; ++k)
        conditional = conditional || w[k] == "when" || w[k] == "if" || w[k] == "before" || w[k] == "after";
      if (!conditional) return verdict(HandoffDecision::handoff, kRuleCallBack, "normal");
    }
  }
  for (const Words& w : clauses) {
    if (topic_hit(w, billing_dispute_phrases(), 1)) {
      v.team = "billing";
      return verdict(HandoffDecision::handoff, kRuleBillingDispute, "high");
    }
  }
  for (const Words& w : clauses) {
    if (topic_hit(w, complaint_phrases(), 1)) return verdict(HandoffDecision::handoff, kRuleComplaint, "high");
  }
  for (const Words& w : clauses) {
    if (topic_hit(w, tenant_handoff, 2)) return verdict(HandoffDecision::handoff, kRuleTenantPhrase, "normal");
  }

  // The rest offers a person at most once.
  if (ctx.offered) return verdict(HandoffDecision::answer, "", "");
  const bool after_answer = !ctx.earlier_turns.empty();
  for (const Words& w : clauses) {
    if (topic_hit(w, frustration_phrases(), 1) || topic_hit(w, mild_annoyance(), 1) ||
        (after_answer && has_any(w, failure_after_answer())))
      return verdict(HandoffDecision::offer, kRuleFrustration, "normal");
  }
  if (after_answer && !ctx.answered) {
    for (const Words& w : clauses)
      if (has_any(w, insisting())) return verdict(HandoffDecision::offer, kRuleRepeatedFailure, "normal");
  }
  if (v.sentiment <= -0.6) return verdict(HandoffDecision::offer, kRuleFrustration, "normal");
  if (!ctx.answered && config.unanswered_to_offer > 0 && ctx.unanswered_turns + 1 >= config.unanswered_to_offer)
    return verdict(HandoffDecision::offer, kRuleRepeatedFailure, "normal");
  if (config.reasks_to_offer > 0 && ctx.reasks >= config.reasks_to_offer)
    return verdict(HandoffDecision::offer, kRuleRepeatedFailure, "normal");
  if (config.max_assistant_turns > 0 && ctx.assistant_turns >= config.max_assistant_turns)
    return verdict(HandoffDecision::offer, kRuleMaxTurns, "normal");
  for (const Words& w : clauses) {
    if (topic_hit(w, tenant_offer, 2)) return verdict(HandoffDecision::offer, kRuleTenantPhrase, "normal");
  }
  return verdict(HandoffDecision::answer, "", "");
}

}  // namespace parley
