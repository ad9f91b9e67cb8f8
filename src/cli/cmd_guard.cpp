// triptyque guard: what the data-sovereignty guard finds in a text (`scan`) and what it
// would send to a remote model (`redact`). Offsets are bytes of the UTF-8 input.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "core/config.h"
#include "core/error.h"
#include "guard/guard.h"

namespace tq::cli {
namespace {

struct GuardOptions {
  std::string input = "-";
  std::string config;
  bool json = false;
};

std::string read_input(const std::string& path) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) throw InputError("cannot open " + path + " (give a readable file, or - for stdin)");
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

guard::GuardConfig load_guard_config(const std::string& path) {
  if (path.empty()) return {};
  return guard::guard_config_from_toml(load_config_file(path));
}

// JSON strings must be valid UTF-8: invalid bytes are replaced rather than aborting.
nlohmann::json entity_json(const guard::Entity& e) {
  return {{"type", guard::type_name(e.type)},
          {"start", e.start},
          {"end", e.end},
          {"text", e.text},
          {"confidence", e.confidence}};
}

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int run_scan(const GuardOptions& o) {
  const std::string text = read_input(o.input);
  const guard::Guard g(load_guard_config(o.config));
  const auto entities = g.scan(text);
  if (o.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& e : entities) arr.push_back(entity_json(e));
    std::printf("%s\n", dump({{"entities", arr}}).c_str());
    return kExitOk;
  }
  std::printf("%-14s %8s %8s  %-5s  %s\n", "TYPE", "START", "END", "CONF", "TEXT");
  for (const auto& e : entities)
    std::printf("%-14s %8zu %8zu  %.2f  %s\n", std::string(guard::type_name(e.type)).c_str(),
                e.start, e.end, e.confidence, e.text.c_str());
  std::printf("%zu entit%s\n", entities.size(), entities.size() == 1 ? "y" : "ies");
  return kExitOk;
}

int run_redact(const GuardOptions& o) {
  const std::string text = read_input(o.input);
  const guard::Guard g(load_guard_config(o.config));
  guard::PseudonymMap map;
  const std::vector<std::string> texts{text};
  const auto p = g.protect(texts, {}, map);
  if (o.json) {
    nlohmann::json mapping = nlohmann::json::object();
    for (const auto& [ph, orig] : map.entries()) mapping[ph] = orig;
    std::printf("%s\n", dump({{"text", p.texts[0]},
                              {"mapping", mapping},
                              {"decision", guard::action_name(p.verdict.action)},
                              {"reasons", p.verdict.reasons}})
                            .c_str());
    return kExitOk;
  }
  std::fwrite(p.texts[0].data(), 1, p.texts[0].size(), stdout);
  if (!p.verdict.may_go_remote())
    std::fprintf(stderr, "guard: decision %s (%s)\n",
                 std::string(guard::action_name(p.verdict.action)).c_str(),
                 p.verdict.reasons.empty() ? "" : p.verdict.reasons.front().c_str());
  return kExitOk;
}

}  // namespace

Action register_guard(CLI::App& app) {
  auto o = std::make_shared<GuardOptions>();
  auto which = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "guard", "Find personal data (scan) or pseudonymise it for a remote model (redact)");
  cmd->require_subcommand(1);
  auto add_common = [&](CLI::App* sub) {
    sub->add_option("input", o->input, "Text file to read, or - for stdin")->default_val("-");
    sub->add_option("-c,--config", o->config, "TOML configuration with a [guard] section");
    sub->add_flag("--json", o->json, "Machine-readable output");
  };
  CLI::App* scan =
      cmd->add_subcommand("scan", "Print the entities found: type, byte offsets, text, confidence");
  add_common(scan);
  scan->callback([which] { *which = "scan"; });
  CLI::App* redact = cmd->add_subcommand(
      "redact", "Print the text with placeholders (<PERSON_1>…); --json adds the mapping");
  add_common(redact);
  redact->callback([which] { *which = "redact"; });
  return [o, which] { return *which == "scan" ? run_scan(*o) : run_redact(*o); };
}

}  // namespace tq::cli
