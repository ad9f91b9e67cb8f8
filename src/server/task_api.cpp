#include "server/task_api.h"

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

#include "core/error.h"
#include "server/openai_format.h"
#include "tasks/jobs/registry.h"
#include "tasks/runtime/task_runtime.h"

namespace tq {
namespace {

using nlohmann::json;

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

std::string sse(const json& j) {
  return "data: " + j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
}

std::string random_id(const char* prefix) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s%016llx", prefix, static_cast<unsigned long long>(rng()));
  return buf;
}

int64_t unix_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What a failed task run tells the client.
struct ErrorReply {
  int status = 500;
  json body;
  int retry_after_s = 0;
};

// A provider failure as a task client sees it: the models are this server's business, so
// a model the configuration names but the provider lacks is a 502, not the client's 404.
int status_of(const ProviderError& e) {
  switch (e.kind()) {
    case ProviderErrorKind::BadRequest:
      return 400;  // e.g. the input does not fit the model's context
    case ProviderErrorKind::RateLimited:
      return 429;  // upstream limits and our budgets
    case ProviderErrorKind::Unavailable:
      return 503;
    case ProviderErrorKind::Timeout:
      return 504;
    case ProviderErrorKind::Cancelled:
      return 499;
    case ProviderErrorKind::Unauthorized:
    case ProviderErrorKind::NotFound:
      return 502;
    case ProviderErrorKind::Internal:
      break;
  }
  return 500;
}

ErrorReply reply_for(const std::exception_ptr& error) {
  auto reply = [](int status, const std::string& message, const std::string& param = "",
                  const std::string& code = "") {
    return ErrorReply{status, error_body(status, message, param, code), 0};
  };
  try {
    std::rethrow_exception(error);
  } catch (const tasks::NotFoundError& e) {
    return reply(404, e.what(), "", "not_found");
  } catch (const tasks::InvalidTaskInput& e) {
    return reply(400, e.what(), e.field(), "invalid_input");
  } catch (const tasks::NoModelConfigured& e) {
    return reply(503, e.what(), "", "model_not_configured");
  } catch (const tasks::LocalOnlyRefusal& e) {
    return reply(403, e.what(), "", "local_only");
  } catch (const tasks::GuardRefusal& e) {
    return reply(403, e.what(), "", "blocked_by_guard");
  } catch (const InputError& e) {
    return reply(400, e.what(), "", "invalid_input");
  } catch (const UnsupportedError& e) {
    return reply(400, e.what(), "", "unsupported");
  } catch (const ProviderError& e) {
    ErrorReply r = reply(status_of(e), e.what(), "", "model_error");
    if (e.retry_after()) r.retry_after_s = static_cast<int>(e.retry_after()->count() / 1000 + 1);
    return r;
  } catch (const tasks::ModelAnswerInvalid& e) {
    return reply(502, e.what(), "", "model_output_invalid");
  } catch (const std::exception& e) {
    return reply(500, e.what());
  }
}

void send_reply(httplib::Response& res, const ErrorReply& r) {
  if (r.retry_after_s > 0) res.set_header("Retry-After", std::to_string(r.retry_after_s));
  send_json(res, r.status, r.body);
}

// The body as a JSON object, or a 400 saying what is wrong with it.
bool parse_body(const httplib::Request& req, httplib::Response& res, json& out) {
  out = json::parse(req.body, nullptr, false);
  if (out.is_discarded()) {
    send_json(res, 400,
              error_body(400, "the request body is not valid JSON: send the task's input object",
                         "", "invalid_json"));
    return false;
  }
  if (!out.is_object()) {
    send_json(res, 400,
              error_body(400, "the request body must be a JSON object (the task's input)", "",
                         "invalid_input"));
    return false;
  }
  return true;
}

// /v1/tasks/a/b/c → {"a", "b", "c"}
std::vector<std::string> path_parts(const std::string& rest) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= rest.size()) {
    const size_t slash = rest.find('/', start);
    const size_t end = slash == std::string::npos ? rest.size() : slash;
    if (end > start) parts.push_back(rest.substr(start, end - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return parts;
}

class TaskApi {
 public:
  TaskApi(TaskRuntimeLookup runtime, TaskAuthorizer authorize)
      : runtime_(std::move(runtime)), authorize_(std::move(authorize)) {}

  // Authorised, with a runtime: calls `fn(runtime, caller)`; else the error is written.
  void with_runtime(const httplib::Request& req, httplib::Response& res,
                    const std::function<void(tasks::TaskRuntime&, tasks::TaskCaller&)>& fn) const {
    tasks::TaskCaller caller;
    if (!authorize_(req, res, caller.key_name)) return;
    tasks::TaskRuntime* rt = runtime_();
    if (rt == nullptr) {
      send_json(res, 503,
                error_body(503, "this server runs no tasks (it was started without a task runtime)",
                           "", "tasks_not_configured"));
      return;
    }
    caller.local_only = req.get_header_value("x-triptyque-data") == "local-only";
    try {
      fn(*rt, caller);
    } catch (...) {
      send_reply(res, reply_for(std::current_exception()));
    }
  }

  void list(const httplib::Request& req, httplib::Response& res) const {
    with_runtime(req, res, [&](tasks::TaskRuntime& rt, tasks::TaskCaller&) {
      json body = rt.describe();
      body["object"] = "list";
      send_json(res, 200, body);
    });
  }

  void get(const httplib::Request& req, httplib::Response& res) const {
    const auto parts = path_parts(req.matches[1]);
    with_runtime(req, res, [&](tasks::TaskRuntime& rt, tasks::TaskCaller&) {
      if (parts.size() == 2 && parts[0] == "plan") {
        json report = rt.plan_report(parts[1]);
        report["object"] = "task.plan";
        send_json(res, 200, report);
        return;
      }
      if (parts.size() == 1)
        for (auto& t : rt.describe()["tasks"])
          if (t["name"] == parts[0]) {
            t["object"] = "task";
            send_json(res, 200, t);
            return;
          }
      throw tasks::NotFoundError("no task at " + req.path + " (GET /v1/tasks lists them)");
    });
  }

  void post(const httplib::Request& req, httplib::Response& res) const {
    const auto parts = path_parts(req.matches[1]);
    with_runtime(req, res, [&](tasks::TaskRuntime& rt, tasks::TaskCaller& caller) {
      if (parts.size() == 1 && parts[0] == "plan") return plan(req, res, rt, caller);
      if (parts.size() == 3 && parts[0] == "plan" && parts[2] == "resume") {
        json report = rt.resume_plan(parts[1], caller);
        report["object"] = "task.plan";
        send_json(res, 200, report);
        return;
      }
      if (parts.size() != 1)
        throw tasks::NotFoundError("no task at " + req.path +
                                   " (POST /v1/tasks/{name}; GET /v1/tasks lists the names)");
      json input;
      if (!parse_body(req, res, input)) return;
      const std::string& task = parts[0];
      const tasks::TaskRouting routes = rt.routing(task);
      if (const auto& r = routes.slm ? routes.slm : routes.llm) {
        res.set_header("x-triptyque-route", r->name());
        res.set_header("x-triptyque-reason", r->reason());
      }
      caller.run_id = random_id("task-");
      const tasks::TaskResult result = rt.run(task, input, caller);
      json body = tasks::task_result_json(task, result);
      body["id"] = caller.run_id;
      body["object"] = "task.result";
      body["created"] = unix_s();
      send_json(res, 200, body);
    });
  }

 private:
  // POST /v1/tasks/plan: the report at the end, or (stream) progress events then the report.
  static void plan(const httplib::Request& req, httplib::Response& res, tasks::TaskRuntime& rt,
                   tasks::TaskCaller& caller) {
    json request;
    if (!parse_body(req, res, request)) return;
    const bool stream = request.value("stream", false);
    request.erase("stream");
    if (!request.contains("plan")) rt.require_model("plan");  // a 503 before any stream starts
    if (!stream) {
      json report = rt.run_plan(request, caller);
      report["object"] = "task.plan";
      send_json(res, 200, report);
      return;
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider(
        "text/event-stream", [&rt, request, caller](size_t, httplib::DataSink& sink) {
          struct Events {
            std::mutex mu;
            std::condition_variable wake;
            std::deque<std::string> queue;
            bool finished = false;
            void push(std::string e) {
              std::lock_guard lock(mu);
              queue.push_back(std::move(e));
              wake.notify_one();
            }
          };
          auto events = std::make_shared<Events>();
          // The plan runs beside the writer: a slow client never holds up the steps, and
          // one that leaves does not stop them (the plan's state is in SQLite either way).
          std::thread worker([&rt, request, caller, events] {
            tasks::TaskCaller c = caller;
            c.on_event = [events](const tasks::TaskEvent& e) {
              events->push(sse({{"object", "task.plan.event"},
                                {"kind", e.kind},
                                {"task", e.task},
                                {"step", e.step},
                                {"message", e.message}}));
            };
            try {
              json report = rt.run_plan(request, c);
              report["object"] = "task.plan";
              events->push(sse(report));
            } catch (...) {
              events->push(sse(reply_for(std::current_exception()).body));
            }
            std::lock_guard lock(events->mu);
            events->finished = true;
            events->wake.notify_one();
          });
          bool client_gone = false;
          for (bool finished = false; !finished;) {
            std::deque<std::string> batch;
            {
              std::unique_lock lock(events->mu);
              events->wake.wait(lock, [&] { return events->finished || !events->queue.empty(); });
              batch.swap(events->queue);
              finished = events->finished;
            }
            for (const auto& e : batch)
              if (!client_gone && !sink.write(e.data(), e.size())) client_gone = true;
          }
          worker.join();
          if (client_gone) return false;
          const std::string done = "data: [DONE]\n\n";
          sink.write(done.data(), done.size());
          sink.done();
          return true;
        });
  }

  TaskRuntimeLookup runtime_;
  TaskAuthorizer authorize_;
};

}  // namespace

void mount_task_api(httplib::Server& server, TaskRuntimeLookup runtime, TaskAuthorizer authorize) {
  auto api = std::make_shared<TaskApi>(std::move(runtime), std::move(authorize));
  server.Get("/v1/tasks",
             [api](const httplib::Request& req, httplib::Response& res) { api->list(req, res); });
  // cpp-httplib 0.11 matches routes as patterns; the rest of the path is parsed above.
  server.Get("/v1/tasks/(.+)",
             [api](const httplib::Request& req, httplib::Response& res) { api->get(req, res); });
  server.Post("/v1/tasks/(.+)",
              [api](const httplib::Request& req, httplib::Response& res) { api->post(req, res); });
}

}  // namespace tq
