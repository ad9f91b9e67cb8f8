// The triptyque executable: a thin shell over the libraries. One subcommand per file.
#include <cstdio>
#include <exception>
#include <map>
#include <string>

#include "cli/commands.h"
#include "core/error.h"

int main(int argc, char** argv) {
  CLI::App app{
      "triptyque — self-hosted hybrid AI engine (local small models, remote large "
      "models, retrieval, routing, ledger)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("triptyque 0.1.0"));

  std::map<std::string, tq::cli::Action> actions;
  auto add = [&](const char* name, tq::cli::Action (*reg)(CLI::App&)) { actions[name] = reg(app); };
  add("inspect", tq::cli::register_inspect);
  add("tokenize", tq::cli::register_tokenize);
  add("eval", tq::cli::register_eval);
  add("generate", tq::cli::register_generate);
  add("embed", tq::cli::register_embed);
  add("synth", tq::cli::register_synth);
  add("bench", tq::cli::register_bench);
  add("quantize", tq::cli::register_quantize);
  add("perplexity", tq::cli::register_perplexity);
  add("template", tq::cli::register_template);
  add("chat", tq::cli::register_chat);
  add("train-classifier", tq::cli::register_train_classifier);
  add("classify", tq::cli::register_classify);
  add("cluster-keywords", tq::cli::register_cluster_keywords);
  add("run", tq::cli::register_run);
  add("serve", tq::cli::register_serve);
  add("report", tq::cli::register_report);
  add("guard", tq::cli::register_guard);
  add("audit", tq::cli::register_audit);
  add("eval-retrieval", tq::cli::register_eval_retrieval);
  add("ingest", tq::cli::register_ingest);
  add("kb", tq::cli::register_kb);
  add("search", tq::cli::register_search);
  add("bench-kb", tq::cli::register_bench_kb);
  add("erase", tq::cli::register_erase);
  add("init", tq::cli::register_init);
  add("bench-gateway", tq::cli::register_bench_gateway);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? tq::cli::kExitOk : tq::cli::kExitBadInput;
  }
  for (auto* sub : app.get_subcommands()) {
    try {
      return actions.at(sub->get_name())();
    } catch (const tq::InputError& e) {
      std::fprintf(stderr, "triptyque %s: error: %s\n", sub->get_name().c_str(), e.what());
      return tq::cli::kExitBadInput;
    } catch (const tq::UnsupportedError& e) {
      std::fprintf(stderr, "triptyque %s: unsupported: %s\n", sub->get_name().c_str(), e.what());
      return tq::cli::kExitUnsupported;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "triptyque %s: error: %s\n", sub->get_name().c_str(), e.what());
      return tq::cli::kExitError;
    }
  }
  return tq::cli::kExitBadInput;
}
