#include "tasks/runtime/task_runtime.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>

#include "core/config.h"
#include "engine/gguf/gguf.h"
#include "ledger/ledger.h"
#include "providers/local_provider.h"
#include "providers/registry.h"
#include "tasks/classifier/text_classifier.h"
#include "tasks/jobs/registry.h"
#include "tasks/plan/plan_execute.h"
#include "tasks/plan/plan_store.h"
#include "tasks/runtime/knowledge_source.h"

namespace tq::tasks {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

fs::path resolve(const fs::path& base, const std::string& p) {
  const fs::path path(p);
  return path.is_absolute() ? path : base / path;
}

std::vector<std::string> string_list(const toml::table& config, const std::string& key) {
  std::vector<std::string> out;
  const auto* node = config.at_path(key).node();
  if (node == nullptr) return out;
  const auto* arr = node->as_array();
  const std::string wrong = "config key '" + key + "' must be a list of strings";
  if (arr == nullptr) throw InputError(wrong);
  for (const auto& v : *arr) {
    const auto s = v.value<std::string>();
    if (!s) throw InputError(wrong);
    out.push_back(*s);
  }
  return out;
}

std::string random_run_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[24];
  std::snprintf(buf, sizeof buf, "task-%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

// "provider/model" or a bare model id → a target, through the registry's lookup.
Target target_of(const ProviderRegistry& registry, const std::string& id, const std::string& key) {
  const auto r = registry.resolve(id);
  if (!r) {
    std::string known;
    for (const auto& m : registry.models()) known += (known.empty() ? "" : ", ") + m.id;
    throw InputError("config key '" + key + "' names model \"" + id +
                     "\", which no provider serves (models: " +
                     (known.empty() ? std::string("none") : known) + ")");
  }
  return {r->provider->name(), r->model, r->provider->is_local()};
}

Route route_of(const Target& primary, std::vector<Target> fallbacks, std::string reason,
               const std::string& task) {
  Route r;
  r.task = task;
  r.primary = primary;
  fallbacks.erase(std::remove(fallbacks.begin(), fallbacks.end(), primary), fallbacks.end());
  r.fallbacks = std::move(fallbacks);
  r.local_only = false;
  r.reasons.push_back(std::move(reason));
  return r;
}

json route_json(const std::optional<Route>& r) {
  if (!r) return nullptr;
  json fallbacks = json::array();
  for (const auto& f : r->fallbacks) fallbacks.push_back(f.label());
  return {{"model", r->primary.label()},
          {"local", r->primary.local},
          {"fallbacks", fallbacks},
          {"reason", r->reason()}};
}

}  // namespace

std::string add_model_hint() {
  return "add a model: TRIPTYQUE_MODEL=/path/model.gguf (any chat GGUF, e.g. Qwen2.5-0.5B-Instruct "
         "Q4_K_M), or a [providers.NAME] section in the configuration (examples/triptyque.toml)";
}

TaskSettings TaskSettings::from_config(const toml::table& config, const fs::path& base_dir) {
  TaskSettings s;
  if (auto v = config_string(config, "tasks.kb")) {
    s.kb = resolve(base_dir, *v);
  } else if (const char* env = std::getenv("TQ_KB"); env != nullptr && *env != 0) {
    s.kb = env;
  } else if (fs::is_regular_file(base_dir / "triptyque-kb.sqlite")) {
    s.kb = base_dir / "triptyque-kb.sqlite";
  }
  if (config.at_path("tasks.kb_labels").node() != nullptr)
    s.kb_labels = string_list(config, "tasks.kb_labels");
  if (auto v = config_string(config, "tasks.classifier")) s.classifier = resolve(base_dir, *v);
  s.categories = string_list(config, "tasks.categories");
  s.slm = config_string(config, "tasks.slm").value_or("");
  s.llm = config_string(config, "tasks.llm").value_or("");
  s.plans = resolve(base_dir, config_string(config, "tasks.plans").value_or(s.plans.string()));
  if (auto v = config_int(config, "tasks.max_parallel")) {
    if (*v < 1 || *v > 64) throw InputError("config key 'tasks.max_parallel' must be 1 to 64");
    s.max_parallel = static_cast<int>(*v);
  }
  if (auto v = config_int(config, "tasks.seed")) s.seed = static_cast<uint64_t>(*v);
  if (auto v = config_number(config, "tasks.relevance_floor")) s.relevance_floor = *v;
  if (auto v = config_int(config, "tasks.retrieve_k")) {
    if (*v < 1 || *v > 50) throw InputError("config key 'tasks.retrieve_k' must be 1 to 50");
    s.retrieve_k = static_cast<int>(*v);
  }
  return s;
}

std::optional<EnvironmentProvider> environment_model_provider(bool local_name_taken) {
  const char* env = std::getenv("TRIPTYQUE_MODEL");
  if (env == nullptr || *env == 0) return std::nullopt;
  const fs::path file(env);
  if (!fs::is_regular_file(file))
    throw InputError("TRIPTYQUE_MODEL=" + file.string() +
                     ": no such file (give the path of a GGUF model, or unset the variable)");
  LocalProviderOptions o;
  o.name = local_name_taken ? "local-env" : "local";
  o.models[file.stem().string()] = file;
  EnvironmentModel out{o.name + "/" + file.stem().string(), ""};
  const auto gguf = GgufFile::open(file.string());
  const std::string arch = gguf->get_string("general.architecture").value_or("");
  const auto trained = gguf->get_uint(arch + ".context_length");
  if (trained && *trained < 2048) {
    o.extend_context = true;
    o.n_ctx = 4096;
    out.note = file.filename().string() + " was trained on " + std::to_string(*trained) +
               " positions, too few for a task's prompt: it runs with 4096 (fine for a test "
               "model, not for a real one)";
  }
  return EnvironmentProvider{std::make_unique<LocalProvider>(o), out};
}

std::optional<EnvironmentModel> add_environment_model(ProviderRegistry& registry) {
  auto env = environment_model_provider(registry.provider("local") != nullptr);
  if (!env) return std::nullopt;
  registry.add(std::move(env->provider));
  return env->model;
}

// One task run: its two models as route providers and the context pointing at them.
struct TaskRuntime::Run {
  TaskCallTags tags;
  std::unique_ptr<TaskRouteProvider> slm, llm;
  TaskContext ctx;
};

TaskRuntime::TaskRuntime(TaskSettings settings, RouterConfig router,
                         const ProviderRegistry& registry, Ledger* ledger, TaskGuard guard,
                         std::shared_ptr<BudgetTracker> budgets)
    : settings_(std::move(settings)),
      router_(std::move(router)),
      registry_(registry),
      ledger_(ledger),
      budgets_(budgets
                   ? std::move(budgets)
                   : std::make_shared<BudgetTracker>(router_.global_budget, router_.key_budgets)),
      guard_(std::move(guard)) {
  // Fail closed: no model call may run unguarded.
  if (!guard_.guard) throw Error("the task runtime needs a guard");
  if (!settings_.slm.empty()) {
    default_slm_ = target_of(registry_, settings_.slm, "tasks.slm");
    default_slm_why_ = "tasks.slm";
  } else {
    for (const auto* p : registry_.providers()) {
      if (!p->is_local()) continue;
      const auto models = p->models();
      if (models.empty()) continue;
      default_slm_ = Target{p->name(), models.front().id, true};
      default_slm_why_ = "the first local model";
      break;
    }
  }
  if (!settings_.llm.empty()) {
    default_llm_ = target_of(registry_, settings_.llm, "tasks.llm");
    default_llm_why_ = "tasks.llm";
  } else {
    for (const auto* p : registry_.providers()) {
      if (p->is_local()) continue;
      const auto models = p->models();
      if (models.empty()) continue;
      default_llm_ = Target{p->name(), models.front().id, false};
      default_llm_why_ = "the first remote model";
      break;
    }
  }
  if (!settings_.kb.empty())
    kb_ = std::make_unique<KnowledgeSource>(settings_.kb, settings_.kb_labels);
  if (!settings_.classifier.empty()) {
    if (!fs::is_regular_file(settings_.classifier))
      throw InputError("tasks.classifier: no such file " + settings_.classifier.string() +
                       " (train one: triptyque train-classifier --train tickets.csv --out " +
                       settings_.classifier.string() + ")");
    classifier_ =
        std::make_unique<TextClassifier>(TextClassifier::load(settings_.classifier.string()));
    if (settings_.categories.empty()) settings_.categories = classifier_->labels();
  }
}

TaskRuntime::~TaskRuntime() = default;

std::unique_ptr<TaskRuntime> TaskRuntime::from_config(
    const toml::table& config, const fs::path& base_dir, const ProviderRegistry& registry,
    Ledger* ledger, const std::optional<std::string>& env_model,
    std::shared_ptr<BudgetTracker> budgets, TaskGuardSetup guard_setup) {
  TaskSettings settings = TaskSettings::from_config(config, base_dir);
  if (settings.slm.empty() && env_model) settings.slm = *env_model;
  RouterConfig router = RouterConfig::from_toml(config, [&registry](const std::string& name) {
    const Provider* p = registry.provider(name);
    if (p == nullptr)
      throw InputError("the router names provider '" + name + "', which has no [providers." + name +
                       "] section");
    return p->is_local();
  });
  // The same [guard] policy as the gateway's, and the same alignment of the router's
  // local-only findings with it (router/guarded_provider.h).
  guard::GuardConfig gc = guard::guard_config_from_toml(config);
  align_local_only_findings(router, config, gc.policy);
  TaskGuard wall;
  wall.local_only_findings = router.local_only_findings;
  wall.audit = std::move(guard_setup.audit);
  if (guard_setup.guard != nullptr)  // borrowed: a shared_ptr that deletes nothing
    wall.guard = std::shared_ptr<const guard::Guard>(guard_setup.guard, [](const guard::Guard*) {});
  else
    wall.guard = std::make_shared<const guard::Guard>(std::move(gc));
  return std::make_unique<TaskRuntime>(std::move(settings), std::move(router), registry, ledger,
                                       std::move(wall), std::move(budgets));
}

TaskRouting TaskRuntime::routing(const std::string& task) const {
  TaskRouting out;
  const TaskRule* rule = nullptr;
  std::string which;
  if (auto it = router_.tasks.find(task); it != router_.tasks.end()) {
    rule = &it->second;
    which = "router.tasks." + task;
  }
  if (rule != nullptr) {
    std::vector<Target> fallbacks = rule->fallbacks;
    fallbacks.insert(fallbacks.end(), router_.fallbacks.begin(), router_.fallbacks.end());
    const char* mode = rule->mode == TaskMode::Slm   ? "slm"
                       : rule->mode == TaskMode::Llm ? "llm"
                                                     : "cascade";
    if (rule->mode != TaskMode::Llm && rule->slm)
      out.slm = route_of(*rule->slm, fallbacks, which + ": mode " + mode, task);
    if (rule->mode != TaskMode::Slm && rule->llm)
      out.llm = route_of(*rule->llm, fallbacks, which + ": mode " + mode, task);
    return out;
  }
  if (default_slm_)
    out.slm = route_of(*default_slm_, router_.fallbacks,
                       "no task rule: the small model is " + default_slm_why_, task);
  // Escalating to the model that just failed would only repeat it.
  if (default_llm_ && !(default_slm_ && *default_llm_ == *default_slm_))
    out.llm = route_of(*default_llm_, router_.fallbacks,
                       "no task rule: the large model is " + default_llm_why_, task);
  return out;
}

void TaskRuntime::require_model(const std::string& task) const {
  if (task != "plan") {
    const TaskSpec* spec = find_task(task);
    if (spec == nullptr || !spec->needs_model) return;
  }
  const TaskRouting r = routing(task);
  if (!r.slm && !r.llm)
    throw NoModelConfigured((task == "plan" ? std::string("planning") : "task " + task) +
                            " needs a model and none is configured: " + add_model_hint());
}

std::unique_ptr<TaskRuntime::Run> TaskRuntime::start(const std::string& task,
                                                     const TaskCaller& caller,
                                                     const TaskCallTags& tags) const {
  auto run = std::make_unique<Run>();
  run->tags = tags;
  run->tags.task = task;
  if (caller.local_only) run->tags.local_only->store(true);
  const TaskRouting routes = routing(task);
  run->tags.cascade = routes.slm.has_value();
  TaskContext& ctx = run->ctx;
  if (routes.slm) {
    run->slm = std::make_unique<TaskRouteProvider>(*routes.slm, "slm", registry_, budgets_.get(),
                                                   ledger_, guard_, run->tags);
    ctx.slm = run->slm.get();
    ctx.slm_model = routes.slm->primary.model;
  }
  if (routes.llm) {
    run->llm =
        std::make_unique<TaskRouteProvider>(*routes.llm, task == "plan" ? "planner" : "llm",
                                            registry_, budgets_.get(), ledger_, guard_, run->tags);
    ctx.llm = run->llm.get();
    ctx.llm_model = routes.llm->primary.model;
  }
  // The route providers price each call as the ledger does (local: a share of the machine's
  // €/hour; remote: the price table).
  ctx.call_cost = [](const Provider&, const std::string&, const ChatResult& r) {
    return r.cost_eur;
  };
  if (kb_) {
    KnowledgeSource* kb = kb_.get();
    auto local_only = run->tags.local_only;
    const auto& local_labels = router_.local_only_labels;
    ctx.retrieve = [kb, local_only, &local_labels](const std::string& q, int k) {
      auto passages = kb->retrieve(q, k);
      // A passage labelled local-only (confidential) keeps the rest of the run on local models.
      for (const auto& p : passages)
        if (std::find(local_labels.begin(), local_labels.end(), p.label) != local_labels.end())
          local_only->store(true);
      return passages;
    };
    ctx.find_record = [kb](const std::string& id) { return kb->record(id); };
  }
  if (classifier_) {
    const TextClassifier* c = classifier_.get();
    ctx.classify = [c](const std::string& text) {
      const auto top = c->predict(text, 1);
      if (top.empty()) return Classification{};
      return Classification{top.front().label, static_cast<double>(top.front().probability)};
    };
  }
  ctx.categories = settings_.categories;
  ctx.relevance_floor = settings_.relevance_floor;
  ctx.retrieve_k = settings_.retrieve_k;
  ctx.seed = settings_.seed;
  ctx.on_event = caller.on_event;
  return run;
}

TaskResult TaskRuntime::run(const std::string& task, const json& input,
                            const TaskCaller& caller) const {
  const TaskSpec* spec = find_task(task);
  if (spec == nullptr) {
    std::string known;
    for (const auto& n : task_names()) known += (known.empty() ? "" : ", ") + n;
    throw NotFoundError("unknown task \"" + task + "\"; the tasks are: " + known);
  }
  validate_task_input(*spec, input);  // a bad request is a 400 even without a model
  require_model(task);
  TaskCallTags tags;
  tags.run_id = caller.run_id.empty() ? random_run_id() : caller.run_id;
  tags.key_name = caller.key_name;
  const auto r = start(task, caller, tags);
  return run_task(task, input, r->ctx);
}

PlanStore& TaskRuntime::plans() {
  std::lock_guard lock(plans_mutex_);
  if (!plans_) plans_ = std::make_unique<PlanStore>(settings_.plans.string());
  return *plans_;
}

// The contexts of one plan's runs, one per task, made on first use by the worker threads.
class TaskRuntime::PlanRuns {
 public:
  PlanRuns(const TaskRuntime& rt, const TaskCaller& caller) : rt_(rt), caller_(caller) {
    tags_.run_id = caller.run_id.empty() ? random_run_id() : caller.run_id;
    tags_.key_name = caller.key_name;
  }
  const TaskContext& context(const std::string& task) {
    std::lock_guard lock(mu_);
    auto& r = runs_[task];
    if (!r) r = rt_.start(task, caller_, tags_);
    return r->ctx;
  }

 private:
  const TaskRuntime& rt_;
  const TaskCaller& caller_;
  TaskCallTags tags_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Run>> runs_;
};

json TaskRuntime::run_plan(const json& request, const TaskCaller& caller) {
  if (!request.is_object()) throw InputError("the plan request must be a JSON object");
  json req = request;
  if (req.contains("records_from")) {
    const json& from = req["records_from"];
    if (!from.is_object() || !from.contains("collection") || !from["collection"].is_string())
      throw InputError(
          "/records_from: expected {\"collection\": NAME}, a knowledge-base collection whose "
          "rows become the plan's records");
    if (req.contains("records"))
      throw InputError("/records_from: give records or records_from, not both");
    if (!kb_) throw InputError("/records_from: no knowledge base is configured (tasks.kb)");
    json records = json::array();
    for (auto& r : kb_->records(from["collection"].get<std::string>()))
      records.push_back(std::move(r));
    req.erase("records_from");
    req["records"] = std::move(records);
  }
  if (!req.contains("plan")) require_model("plan");
  PlanRuns runs(*this, caller);
  ExecuteOptions opts;
  opts.max_parallel = settings_.max_parallel;
  opts.step_context = [&runs](const std::string& task) -> const TaskContext& {
    return runs.context(task);
  };
  return plan_and_execute(req, plans(), runs.context("plan"), opts);
}

json TaskRuntime::resume_plan(const std::string& plan_id, const TaskCaller& caller) {
  if (!plans().plan(plan_id))
    throw NotFoundError("no plan " + plan_id + " in " + settings_.plans.string());
  PlanRuns runs(*this, caller);
  ExecuteOptions opts;
  opts.max_parallel = settings_.max_parallel;
  opts.step_context = [&runs](const std::string& task) -> const TaskContext& {
    return runs.context(task);
  };
  return execute_plan(plans(), plan_id, runs.context("plan"), opts);
}

json TaskRuntime::plan_report(const std::string& plan_id) {
  if (!plans().plan(plan_id))
    throw NotFoundError("no plan " + plan_id + " in " + settings_.plans.string());
  return tasks::plan_report(plans(), plan_id);
}

json TaskRuntime::describe() const {
  json out = task_catalogue();
  for (auto& t : out["tasks"]) {
    const TaskRouting r = routing(t["name"].get<std::string>());
    const bool needs = t["needs_model"].get<bool>();
    t["routes"] = {{"slm", route_json(r.slm)}, {"llm", route_json(r.llm)}};
    t["available"] = !needs || r.slm.has_value() || r.llm.has_value();
  }
  const TaskRouting planner = routing("plan");
  out["plan"] = {{"routes", {{"slm", route_json(planner.slm)}, {"llm", route_json(planner.llm)}}},
                 {"available", planner.slm.has_value() || planner.llm.has_value()}};
  // File names only: API clients need not learn the server's folders.
  out["knowledge_base"] = kb_ ? json(kb_->path().filename().string()) : json(nullptr);
  out["classifier"] = classifier_ ? json(settings_.classifier.filename().string()) : json(nullptr);
  out["categories"] = settings_.categories;
  return out;
}

}  // namespace tq::tasks
