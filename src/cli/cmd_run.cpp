// triptyque run TASK [--input F.json | --text "…"] [--config F] [--json]: runs one built-in
// task (support_answer, product_description, email_summary, ticket_analysis) or a plan
// (`run plan --input request.json`, {goal, records?, plan?}) and prints its JSON output.
// `run --list` prints the tasks with their input and output schemas.
#include <unistd.h>

#include <cstdio>
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
#include "tasks/jobs/registry.h"
#include "tasks/plan/plan_execute.h"

namespace tq::cli {
namespace {

using nlohmann::json;

struct RunOptions {
  std::string task;
  std::string input_file;
  std::string text;
  std::string config_file;
  std::string plans_db = "triptyque-plans.sqlite";
  std::string resume;
  int parallel = 2;
  bool json = false;
  bool list = false;
};

// What the tasks run on, and the objects it points into (providers, retriever, classifier).
struct TaskSetup {
  std::vector<std::unique_ptr<Provider>> providers;
  tasks::TaskContext ctx;
  std::string missing;  // why no model is available, for one line of help
};

// Builds the task context from the configuration. The provider registry (local engine,
// OpenAI-compatible remotes), the router, the knowledge base retriever and the trained
// classifier are wired in here as they land; until then only the task settings are read
// and tasks that need a model say how to configure one.
TaskSetup make_task_context(const toml::table* config) {
  TaskSetup s;
  if (config != nullptr) {
    if (const auto* cats = config->at_path("tasks.categories").as_array()) {
      for (const auto& c : *cats) {
        const auto v = c.value<std::string>();
        if (!v) throw InputError("config: tasks.categories must be a list of strings");
        s.ctx.categories.push_back(*v);
      }
    }
    if (auto f = config_number(*config, "tasks.relevance_floor")) s.ctx.relevance_floor = *f;
    if (auto k = config_int(*config, "tasks.retrieve_k")) s.ctx.retrieve_k = static_cast<int>(*k);
  }
  s.missing =
      "no model provider is available in this build yet: tasks that need generation will say so "
      "(set TRIPTYQUE_MODEL=/path/model.gguf once the local provider is merged)";
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
  std::optional<toml::table> config;
  if (!o.config_file.empty()) config = load_config_file(o.config_file);
  TaskSetup setup = make_task_context(config ? &*config : nullptr);
  const bool tty = isatty(fileno(stderr)) != 0 && !o.json;
  if (tty)
    setup.ctx.on_event = [](const tasks::TaskEvent& e) {
      std::fprintf(stderr, "[%s%s%s] %s %s\n", e.task.c_str(), e.step.empty() ? "" : " ",
                   e.step.c_str(), e.kind.c_str(), e.message.c_str());
    };

  if (o.task == "plan") {
    tasks::PlanStore store(o.plans_db);
    tasks::ExecuteOptions eo;
    eo.max_parallel = o.parallel;
    json report;
    if (!o.resume.empty()) {
      report = tasks::execute_plan(store, o.resume, setup.ctx, eo);
    } else {
      if (o.input_file.empty() && o.text.empty())
        throw InputError(
            "run plan needs --input REQUEST.json ({goal, records?, plan?}) or --text GOAL");
      const json request = o.input_file.empty()
                               ? json{{"goal", o.text}}
                               : parse_input(read_input(o.input_file), o.input_file);
      report = tasks::plan_and_execute(request, store, setup.ctx, eo);
    }
    std::printf("%s\n", o.json ? report.dump().c_str() : report.dump(2).c_str());
    return report["counts"]["failed"].get<int>() == 0 ? kExitOk : kExitError;
  }

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
  tasks::TaskResult r;
  try {
    r = tasks::run_task(o.task, input, setup.ctx);
  } catch (const InputError& e) {
    const std::string what = e.what();
    if (what.find("none is configured") != std::string::npos)
      throw InputError(what + " — " + setup.missing);
    throw;
  }
  if (o.json) {
    const json out = {
        {"task", o.task},
        {"output", r.output},
        {"provider", r.provider},
        {"model", r.model},
        {"attempts", r.attempts},
        {"escalated", r.escalated},
        {"tokens",
         {{"slm", {{"prompt", r.slm_tokens.prompt}, {"completion", r.slm_tokens.completion}}},
          {"llm", {{"prompt", r.llm_tokens.prompt}, {"completion", r.llm_tokens.completion}}}}},
        {"cost", {{"slm", r.slm_cost}, {"llm", r.llm_cost}}},
        {"total_ms", r.total_ms}};
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::printf("%s\n", r.output.dump(2).c_str());
    std::fprintf(stderr, "%s: %s%s, %d model call(s), %.0f ms\n", o.task.c_str(),
                 r.provider.empty() ? "no model needed" : (r.provider + "/" + r.model).c_str(),
                 r.escalated ? " (escalated)" : "", r.attempts, r.total_ms);
  }
  return kExitOk;
}

}  // namespace

Action register_run(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  auto* sub =
      app.add_subcommand("run",
                         "Run a built-in task (support_answer, product_description, email_summary, "
                         "ticket_analysis) or a plan on JSON input; prints its JSON output");
  sub->add_option("task", o->task, "Task name, or \"plan\" (see --list)");
  sub->add_option("--input,-i", o->input_file, "JSON input file (\"-\" for stdin)");
  sub->add_option(
      "--text,-t", o->text,
      "Free text for the task's main field (question, email, ticket; the goal of a plan)");
  sub->add_option("--config,-c", o->config_file, "triptyque TOML configuration");
  sub->add_option("--plans", o->plans_db, "SQLite file holding plan state (run plan)")
      ->capture_default_str();
  sub->add_option("--resume", o->resume, "Resume the plan with this id (run plan)");
  sub->add_option("--parallel", o->parallel, "Steps run at once (run plan)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  sub->add_flag("--json", o->json, "One JSON object on stdout (output, model, tokens, cost)");
  sub->add_flag("--list", o->list, "List the tasks (with --json: their schemas)");
  return [o] { return run(*o); };
}

}  // namespace tq::cli
