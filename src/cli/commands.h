// Each subcommand lives in its own file and registers itself on the CLI11 app.
// The returned callback runs when that subcommand was chosen; errors propagate as
// exceptions and main() turns them into one line on stderr and an exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace tq::cli {

using Action = std::function<int()>;

Action register_inspect(CLI::App& app);
Action register_tokenize(CLI::App& app);
Action register_eval(CLI::App& app);
Action register_generate(CLI::App& app);
Action register_embed(CLI::App& app);
Action register_synth(CLI::App& app);
Action register_bench(CLI::App& app);
Action register_quantize(CLI::App& app);
Action register_perplexity(CLI::App& app);
Action register_template(CLI::App& app);
Action register_chat(CLI::App& app);
Action register_train_classifier(CLI::App& app);
Action register_classify(CLI::App& app);
Action register_cluster_keywords(CLI::App& app);
Action register_run(CLI::App& app);
Action register_serve(CLI::App& app);
Action register_report(CLI::App& app);
Action register_guard(CLI::App& app);
Action register_audit(CLI::App& app);
Action register_eval_retrieval(CLI::App& app);
Action register_ingest(CLI::App& app);
Action register_kb(CLI::App& app);
Action register_search(CLI::App& app);
Action register_bench_kb(CLI::App& app);
Action register_erase(CLI::App& app);
Action register_init(CLI::App& app);
Action register_bench_gateway(CLI::App& app);

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;        // the operation failed (I/O, internal)
inline constexpr int kExitBadInput = 2;     // bad arguments or input the user can fix
inline constexpr int kExitUnsupported = 3;  // valid but unsupported (architecture, type)

}  // namespace tq::cli
