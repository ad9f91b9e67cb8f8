// triptyque quantize IN OUT TYPE: llama-quantize's job for the llama.cpp type mixes we
// write (Q8_0, Q4_0, Q4_K_M, …), from an F32/F16/BF16 GGUF file. On a terminal each
// tensor gets a progress line on stderr; stdout gets a summary, or JSON with --json.
#include <unistd.h>

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "engine/quantize/quantize_model.h"

namespace tq::cli {
namespace {

struct QuantizeOptions {
  std::string input;
  std::string output;
  std::string type;
  int threads = 0;
  bool json = false;
};

double mib(uint64_t bytes) {
  return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

std::string shape_text(const std::vector<int64_t>& ne) {
  std::string s = "[";
  for (size_t i = 0; i < ne.size(); ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
  return s + "]";
}

nlohmann::json to_json(const QuantizeOptions& o, const QuantizeReport& r) {
  nlohmann::json tensors = nlohmann::json::array();
  for (const auto& t : r.tensors)
    tensors.push_back({{"name", t.name},
                       {"shape", t.ne},
                       {"from", type_name(t.from)},
                       {"to", type_name(t.to)},
                       {"converted", t.converted},
                       {"fallback", t.fallback},
                       {"bytes", t.bytes_out}});
  const QuantMixInfo& mix = quant_mix_info(r.mix);
  return {{"input", o.input},
          {"output", o.output},
          {"type", mix.name},
          {"file_type", mix.ftype},
          {"size_before", r.file_bytes_in},
          {"size_after", r.file_bytes_out},
          {"bpw_before", r.bits_per_weight_in()},
          {"bpw_after", r.bits_per_weight_out()},
          {"tensors", tensors}};
}

void print_summary(const QuantizeOptions& o, const QuantizeReport& r) {
  const QuantMixInfo& mix = quant_mix_info(r.mix);
  std::map<std::string, int> by_type;
  int converted = 0;
  for (const auto& t : r.tensors) {
    ++by_type[std::string(type_name(t.to))];
    converted += t.converted ? 1 : 0;
  }
  std::printf("%s -> %s as %s (general.file_type %u)\n", o.input.c_str(), o.output.c_str(),
              std::string(mix.name).c_str(), mix.ftype);
  std::printf("  tensors: %zu (%d converted, %zu copied)\n", r.tensors.size(), converted,
              r.tensors.size() - static_cast<size_t>(converted));
  std::string types;
  for (const auto& [name, n] : by_type)
    types += (types.empty() ? "" : ", ") + name + " " + std::to_string(n);
  std::printf("  types:   %s\n", types.c_str());
  std::printf("  size:    %.2f MiB -> %.2f MiB (%.2f -> %.2f bits per weight)\n",
              mib(r.file_bytes_in), mib(r.file_bytes_out), r.bits_per_weight_in(),
              r.bits_per_weight_out());
  for (const auto& t : r.tensors)
    if (t.fallback) std::printf("  fallback: %s: %s\n", t.name.c_str(), t.note.c_str());
}

int run_quantize(const QuantizeOptions& o) {
  const std::optional<QuantMix> mix = quant_mix_from_name(o.type);
  if (!mix) throw InputError("unknown type '" + o.type + "'; expected one of " + quant_mix_names());
  ThreadPool pool(o.threads);
  const bool tty = isatty(fileno(stderr)) != 0;
  auto progress = [tty](size_t i, size_t n, const TensorQuantReport& t) {
    if (!tty) return;
    std::fprintf(stderr, "[%4zu/%4zu] %-32s %-18s %5s -> %-5s %9.3f MiB -> %9.3f MiB%s\n", i + 1, n,
                 t.name.c_str(), shape_text(t.ne).c_str(), std::string(type_name(t.from)).c_str(),
                 std::string(type_name(t.to)).c_str(), mib(t.bytes_in), mib(t.bytes_out),
                 t.fallback ? " (fallback)" : "");
  };
  const QuantizeReport report = quantize_model(o.input, o.output, *mix, pool, progress);
  if (o.json)
    std::printf("%s\n", to_json(o, report).dump().c_str());
  else
    print_summary(o, report);
  return kExitOk;
}

}  // namespace

Action register_quantize(CLI::App& app) {
  auto o = std::make_shared<QuantizeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "quantize", "Quantise an F32/F16/BF16 GGUF model to a llama.cpp type mix (Q4_K_M, …)");
  cmd->add_option("input", o->input, "GGUF model to quantise")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("output", o->output, "GGUF file to write")->required();
  cmd->add_option("type", o->type,
                  "Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K_S/M/L, "
                  "Q4_K_S/M, Q5_K_S/M or Q6_K")
      ->required();
  cmd->add_option("-t,--threads", o->threads, "Worker threads (default: physical cores)")
      ->check(CLI::Range(0, 512));
  cmd->add_flag("--json", o->json,
                "Print {\"type\", \"file_type\", \"size_before\", \"size_after\", "
                "\"bpw_before\", \"bpw_after\", \"tensors\": [...]}");
  return [o] { return run_quantize(*o); };
}

}  // namespace tq::cli
