// triptyque run TASK [--input F.json | --text "…"] [--config F] [--json]: runs one built-in
// task (support_answer, product_description, email_summary, ticket_analysis, seo_clusters)
// or a plan (`run plan --input request.json`, {goal, records?, plan?}) on the task runtime
// (tasks/runtime/task_runtime.h): the configuration's providers and router rules, its
// knowledge base and classifier, or TRIPTYQUE_MODEL=/path/model.gguf without a
// configuration. Prints the JSON output. `run --list` prints the tasks and their schemas.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/config.h"
#include "core/error.h"
#include "guard/audit.h"
#include "ledger/ledger.h"
#include "providers/registry.h"
#include "tasks/jobs/registry.h"
#include "tasks/runtime/task_runtime.h"

namespace tq::cli {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

struct RunOptions {
  std::string task;
  std::string input_file;
  std::string text;
  std::string config_file;
  std::string kb;
  std::string classifier;
  std::string ledger;
  std::string plans_db;
  std::string resume;
  int parallel = 0;
  bool json = false;
  bool list = false;
};

// What the tasks run on: the registry (and the ledger, and the audit log) the runtime
// borrows, then the runtime.
struct TaskSetup {
  std::unique_ptr<ProviderRegistry> registry;
  std::unique_ptr<Ledger> ledger;
  std::unique_ptr<guard::AuditLog> audit;
  std::unique_ptr<tasks::TaskRuntime> runtime;
};

// Command-line paths override [tasks] (written into the table as absolute paths).
void override_path(toml::table& config, const char* key, const std::string& value) {
  if (value.empty()) return;
  if (!config.contains("tasks")) config.insert("tasks", toml::table{});
  auto* t = config["tasks"].as_table();
  if (t == nullptr) throw InputError("config key 'tasks' must be a table");
  t->insert_or_assign(key, fs::absolute(value).string());
}

TaskSetup make_task_setup(const RunOptions& o) {
  toml::table config;
  fs::path base_dir = fs::current_path();
  if (!o.config_file.empty()) {
    config = load_config_file(o.config_file);
    base_dir = fs::absolute(o.config_file).parent_path();
  }
  override_path(config, "kb", o.kb);
  override_path(config, "classifier", o.classifier);
  override_path(config, "plans", o.plans_db);
  if (o.parallel > 0) {
    if (!config.contains("tasks")) config.insert("tasks", toml::table{});
    if (auto* t = config["tasks"].as_table()) t->insert_or_assign("max_parallel", o.parallel);
  }
  TaskSetup s;
  s.registry = ProviderRegistry::from_config(config, base_dir);
  const auto env_model = tasks::add_environment_model(*s.registry);
  if (env_model && !env_model->note.empty())
    std::fprintf(stderr, "triptyque run: %s\n", env_model->note.c_str());
  // The calls go to the configuration's ledger (as the server's do), or to --ledger.
  std::string ledger = o.ledger;
  if (ledger.empty() && !o.config_file.empty()) {
    const fs::path p(config_string(config, "ledger.path").value_or("triptyque-ledger.sqlite"));
    ledger = (p.is_absolute() ? p : base_dir / p).string();
  }
  tasks::TaskGuardSetup guard;
  if (!ledger.empty()) {
    s.ledger = std::make_unique<Ledger>(ledger);
    // The guard's decisions go where `serve` writes them ([guard] audit, else beside the
    // ledger), each followed by the ledger's checkpoint of the audit head.
    const auto audit_path = config_string(config, "guard.audit");
    const fs::path audit = !audit_path ? fs::path(ledger).parent_path() / "triptyque-audit.sqlite"
                           : fs::path(*audit_path).is_absolute() ? fs::path(*audit_path)
                                                                 : base_dir / *audit_path;
    s.audit = std::make_unique<guard::AuditLog>(audit.string());
    guard.audit = [log = s.audit.get(), led = s.ledger.get()](
                      const std::string& id, const guard::Verdict& v, const std::string& route) {
      const guard::AuditHead head = log->record_decision(id, v, route);
      led->checkpoint(Checkpoint{0, "guard.audit", head.hash, head.count});
    };
  }
  s.runtime = tasks::TaskRuntime::from_config(
      config, base_dir, *s.registry, s.ledger.get(),
      env_model ? std::optional(env_model->id) : std::nullopt, nullptr, std::move(guard));
  return s;
}

std::string read_input(const std::string& path) {
  if (path == "-") {
    std::ostringstream s;
    s << std::cin.rdbuf();
    return s.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + path + " (give a JSON file with --input)");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

json parse_input(const std::string& text, const std::string& where) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    throw InputError(where + " is not valid JSON: " + e.what());
  }
}

void print_event(const tasks::TaskEvent& e) {
  std::fprintf(stderr, "[%s%s%s] %s %s\n", e.task.c_str(), e.step.empty() ? "" : " ",
               e.step.c_str(), e.kind.c_str(), e.message.c_str());
}

int run_plan(const RunOptions& o, tasks::TaskRuntime& rt, const tasks::TaskCaller& caller) {
  json report;
  if (!o.resume.empty()) {
    report = rt.resume_plan(o.resume, caller);
  } else {
    if (o.input_file.empty() && o.text.empty())
      throw InputError(
          "run plan needs --input REQUEST.json ({goal, records?, plan?}) or --text GOAL");
    const json request = o.input_file.empty() ? json{{"goal", o.text}}
                                              : parse_input(read_input(o.input_file), o.input_file);
    report = rt.run_plan(request, caller);
  }
  std::printf("%s\n", o.json ? report.dump().c_str() : report.dump(2).c_str());
  return report["counts"]["failed"].get<int>() == 0 ? kExitOk : kExitError;
}

int run(const RunOptions& o) {
  if (o.list) {
    const json cat = tasks::task_catalogue();
    if (o.json) {
      std::printf("%s\n", cat.dump().c_str());
    } else {
      for (const auto& t : cat["tasks"])
        std::printf("%-20s %s\n", t["name"].get<std::string>().c_str(),
                    t["description"].get<std::string>().c_str());
      std::printf("%-20s %s\n", "plan",
                  "Plan-and-execute: {goal, records?, plan?} → an LLM plan of the tasks above, "
                  "run on the small model in parallel, resumable (--plans, --resume).");
    }
    return kExitOk;
  }
  if (o.task.empty()) throw InputError("name a task (triptyque run --list shows them)");
  TaskSetup setup = make_task_setup(o);
  tasks::TaskCaller caller;
  caller.key_name = "cli";
  if (isatty(fileno(stderr)) != 0 && !o.json) caller.on_event = print_event;
  if (o.task == "plan") return run_plan(o, *setup.runtime, caller);

  const tasks::TaskSpec* spec = tasks::find_task(o.task);
  if (spec == nullptr) throw InputError("unknown task \"" + o.task + "\" (triptyque run --list)");
  json input;
  if (!o.input_file.empty() && !o.text.empty())
    throw InputError("give --input or --text, not both");
  if (!o.input_file.empty()) {
    input = parse_input(read_input(o.input_file), o.input_file);
  } else if (!o.text.empty()) {
    if (spec->text_field.empty())
      throw InputError("task " + spec->name + " takes a JSON object: use --input FILE.json (" +
                       spec->input_schema.dump() + ")");
    input = {{spec->text_field, o.text}};
  } else {
    throw InputError("task " + spec->name + " needs --input FILE.json" +
                     (spec->text_field.empty() ? "" : " or --text \"…\""));
  }
  const tasks::TaskResult r = setup.runtime->run(o.task, input, caller);
  if (o.json) {
    std::printf("%s\n", tasks::task_result_json(o.task, r).dump().c_str());
  } else {
    std::printf("%s\n", r.output.dump(2).c_str());
    std::fprintf(stderr, "%s: %s%s, %d model call(s), %.0f ms, %.6f €\n", o.task.c_str(),
                 r.provider.empty() ? "no model needed" : (r.provider + "/" + r.model).c_str(),
                 r.escalated ? " (escalated)" : "", r.attempts, r.total_ms,
                 r.slm_cost + r.llm_cost);
  }
  return kExitOk;
}

}  // namespace

Action register_run(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  auto* sub = app.add_subcommand(
      "run",
      "Run a built-in task (support_answer, product_description, email_summary, "
      "ticket_analysis, seo_clusters) or a plan on JSON input; prints its JSON output. Models "
      "come from --config (providers, [router.tasks.*]) or TRIPTYQUE_MODEL=/path/model.gguf");
  sub->add_option("task", o->task, "Task name, or \"plan\" (see --list)");
  sub->add_option("--input,-i", o->input_file, "JSON input file (\"-\" for stdin)");
  sub->add_option(
      "--text,-t", o->text,
      "Free text for the task's main field (question, email, ticket, keyword CSV; the goal of "
      "a plan)");
  sub->add_option("--config,-c", o->config_file,
                  "triptyque TOML configuration ([providers.*], [router], [tasks], [ledger])");
  sub->add_option("--kb", o->kb,
                  "Knowledge base (default: tasks.kb, $TQ_KB, ./triptyque-kb.sqlite)");
  sub->add_option("--classifier", o->classifier,
                  "Ticket classifier from train-classifier (default: tasks.classifier)");
  sub->add_option("--ledger", o->ledger,
                  "Record the model calls in this ledger (default: the config's ledger.path)");
  sub->add_option("--plans", o->plans_db,
                  "SQLite file holding plan state (default: tasks.plans or "
                  "./triptyque-plans.sqlite)");
  sub->add_option("--resume", o->resume, "Resume the plan with this id (run plan)");
  sub->add_option("--parallel", o->parallel,
                  "Steps run at once (run plan; default tasks.max_parallel or 2)")
      ->check(CLI::Range(1, 64));
  sub->add_flag("--json", o->json, "One JSON object on stdout (output, model, tokens, cost)");
  sub->add_flag("--list", o->list, "List the tasks (with --json: their schemas)");
  return [o] { return run(*o); };
}

}  // namespace tq::cli
