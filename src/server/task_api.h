// The built-in tasks over HTTP (docs/ARCHITECTURE.md, "Tasks"):
//   GET  /v1/tasks                    the tasks, their schemas and the models each would use
//   GET  /v1/tasks/{name}             one task's description and schemas
//   POST /v1/tasks/{name}             body = the task's input → {output, models, usage, cost}
//   POST /v1/tasks/plan               {goal, records? | records_from?, plan?, max_parallel?,
//                                     stream?} → the plan's report; with "stream": true,
//                                     server-sent progress events, then the report
//   GET  /v1/tasks/plan/{id}          the stored plan's report (progress while it runs)
//   POST /v1/tasks/plan/{id}/resume   runs what is not done yet
// Errors have OpenAI's shape: 400 naming the bad field (`param`), 404 unknown task or plan,
// 403 local-only data without a local model (`local_only`) or data the guard blocks
// (`blocked_by_guard`), 503 no model configured for the task, 502 the
// model's answer stayed invalid. The header `x-triptyque-data: local-only` keeps the call
// on local models. Every model call passes the guard (remote models see placeholders) and is
// a ledger row and an audit decision (TaskRuntime).
#pragma once

#include <functional>
#include <string>

namespace httplib {
class Server;
class Request;
class Response;
}  // namespace httplib

namespace tq {

namespace tasks {
class TaskRuntime;
}

// Decides whether the request may use the tasks (scope "tasks"); on refusal it has written
// the error response. Sets `key_name` to the API key's name ("" when auth is off).
using TaskAuthorizer =
    std::function<bool(const httplib::Request&, httplib::Response&, std::string& key_name)>;
// The runtime to use now; null answers 503 (tasks not configured on this server).
using TaskRuntimeLookup = std::function<tasks::TaskRuntime*()>;

void mount_task_api(httplib::Server& server, TaskRuntimeLookup runtime, TaskAuthorizer authorize);

}  // namespace tq
