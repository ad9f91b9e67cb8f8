#include "server/request_parser.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

namespace tq {
namespace {

using nlohmann::json;

// Thrown inside this file only; the public functions turn it into a ParseError.
struct Invalid {
  std::string param;
  std::string message;
};

std::string type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::string:
      return "a string";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    case json::value_t::number_float:
      return "a number";
    default:
      return "an integer";
  }
}

[[noreturn]] void wrong_type(const std::string& param, const json& v, const std::string& want) {
  throw Invalid{param, "'" + param + "' must be " + want + ", got " + type_name(v)};
}

json parse_body(std::string_view body) {
  json j = json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded())
    throw Invalid{"",
                  "the request body is not valid JSON (send a JSON object with "
                  "Content-Type: application/json)"};
  if (!j.is_object()) wrong_type("", j, "a JSON object");
  return j;
}

const json* field(const json& obj, const char* name) {
  const auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string required_string(const json& obj, const char* name) {
  const json* v = field(obj, name);
  if (v == nullptr) throw Invalid{name, "'" + std::string(name) + "' is required"};
  if (!v->is_string()) wrong_type(name, *v, "a string");
  return v->get<std::string>();
}

std::optional<double> number(const json& obj, const char* name, double lo, double hi) {
  const json* v = field(obj, name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number()) wrong_type(name, *v, "a number");
  const double d = v->get<double>();
  if (!(d >= lo && d <= hi))
    throw Invalid{name, "'" + std::string(name) + "' must be between " + json(lo).dump() + " and " +
                            json(hi).dump()};
  return d;
}

std::optional<int64_t> integer(const json& obj, const char* name, int64_t lo, int64_t hi) {
  const json* v = field(obj, name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number_integer()) wrong_type(name, *v, "an integer");
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(hi))
    throw Invalid{name, "'" + std::string(name) + "' must be at most " + std::to_string(hi)};
  const int64_t i = v->get<int64_t>();
  if (i < lo || i > hi)
    throw Invalid{name, "'" + std::string(name) + "' must be between " + std::to_string(lo) +
                            " and " + std::to_string(hi)};
  return i;
}

bool boolean(const json& obj, const char* name) {
  const json* v = field(obj, name);
  if (v == nullptr) return false;
  if (!v->is_boolean()) wrong_type(name, *v, "a boolean");
  return v->get<bool>();
}

// "content": a string, or an array of parts of which the text ones are kept.
std::string content_text(const json& v, const std::string& param) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (!v.is_array()) wrong_type(param, v, "a string or an array of content parts");
  std::string text;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string p = param + "[" + std::to_string(i) + "]";
    const json& part = v[i];
    if (!part.is_object()) wrong_type(p, part, "an object");
    const json* type = field(part, "type");
    if (type == nullptr || !type->is_string() || type->get<std::string>() != "text")
      throw Invalid{p + ".type", "only text content parts are supported ('type': 'text')"};
    const json* t = field(part, "text");
    if (t == nullptr || !t->is_string()) throw Invalid{p + ".text", "'text' must be a string"};
    text += t->get<std::string>();
  }
  return text;
}

void common_sampling(const json& j, ChatRequest& c, const ParseLimits& limits) {
  if (auto v = integer(j, "max_completion_tokens", 1, limits.max_tokens))
    c.max_tokens = static_cast<int32_t>(*v);
  else if (auto w = integer(j, "max_tokens", 1, limits.max_tokens))
    c.max_tokens = static_cast<int32_t>(*w);
  c.temperature = number(j, "temperature", 0.0, 2.0);
  c.top_p = number(j, "top_p", 0.0, 1.0);
  if (auto s = integer(j, "seed", std::numeric_limits<int64_t>::min(),
                       std::numeric_limits<int64_t>::max()))
    c.seed = static_cast<uint64_t>(*s);
  if (auto n = integer(j, "n", 1, 1000); n && *n != 1)
    throw Invalid{"n", "only n = 1 is supported"};
  if (const json* stop = field(j, "stop")) {
    if (stop->is_string()) {
      c.stop.push_back(stop->get<std::string>());
    } else if (stop->is_array()) {
      if (stop->size() > 4) throw Invalid{"stop", "'stop' holds at most 4 sequences"};
      for (size_t i = 0; i < stop->size(); ++i) {
        if (!(*stop)[i].is_string())
          wrong_type("stop[" + std::to_string(i) + "]", (*stop)[i], "a string");
        c.stop.push_back((*stop)[i].get<std::string>());
      }
    } else {
      wrong_type("stop", *stop, "a string or an array of strings");
    }
    for (const auto& s : c.stop)
      if (s.empty()) throw Invalid{"stop", "stop sequences cannot be empty"};
  }
}

void stream_fields(const json& j, ParsedChatRequest& r) {
  r.stream = boolean(j, "stream");
  if (const json* so = field(j, "stream_options")) {
    if (!so->is_object()) wrong_type("stream_options", *so, "an object");
    if (const json* iu = field(*so, "include_usage")) {
      if (!iu->is_boolean()) wrong_type("stream_options.include_usage", *iu, "a boolean");
      r.include_usage = iu->get<bool>();
    }
  }
}

void response_format(const json& j, ParsedChatRequest& r) {
  const json* rf = field(j, "response_format");
  if (rf == nullptr) return;
  if (!rf->is_object()) wrong_type("response_format", *rf, "an object");
  const json* type = field(*rf, "type");
  if (type == nullptr || !type->is_string())
    throw Invalid{"response_format.type",
                  "'response_format.type' must be text, json_object "
                  "or json_schema"};
  r.response_format = type->get<std::string>();
  if (r.response_format == "text") return;
  if (r.response_format == "json_object") {
    r.chat.json_schema = json{{"type", "object"}};
    return;
  }
  if (r.response_format != "json_schema")
    throw Invalid{"response_format.type", "unknown response_format type '" + r.response_format +
                                              "' (text, json_object or json_schema)"};
  const json* js = field(*rf, "json_schema");
  if (js == nullptr)
    throw Invalid{"response_format.json_schema",
                  "'response_format.json_schema' is required "
                  "for type json_schema"};
  if (!js->is_object()) wrong_type("response_format.json_schema", *js, "an object");
  const json* name = field(*js, "name");
  if (name == nullptr || !name->is_string())
    throw Invalid{"response_format.json_schema.name",
                  "'response_format.json_schema.name' "
                  "must be a string"};
  const json* schema = field(*js, "schema");
  if (schema == nullptr)
    throw Invalid{"response_format.json_schema.schema",
                  "'response_format.json_schema.schema' is required"};
  if (!schema->is_object() && !schema->is_boolean())
    wrong_type("response_format.json_schema.schema", *schema, "an object");
  if (const json* strict = field(*js, "strict"); strict != nullptr && !strict->is_boolean())
    wrong_type("response_format.json_schema.strict", *strict, "a boolean");
  r.chat.json_schema = *schema;
}

ParsedChatRequest chat(std::string_view body, const ParseLimits& limits) {
  const json j = parse_body(body);
  ParsedChatRequest r;
  r.chat.model = required_string(j, "model");
  const json* messages = field(j, "messages");
  if (messages == nullptr) throw Invalid{"messages", "'messages' is required"};
  if (!messages->is_array()) wrong_type("messages", *messages, "an array");
  if (messages->empty()) throw Invalid{"messages", "'messages' must not be empty"};
  if (messages->size() > limits.max_messages)
    throw Invalid{"messages", "at most " + std::to_string(limits.max_messages) + " messages"};
  for (size_t i = 0; i < messages->size(); ++i) {
    const std::string p = "messages[" + std::to_string(i) + "]";
    const json& m = (*messages)[i];
    if (!m.is_object()) wrong_type(p, m, "an object");
    ChatMessage msg;
    const json* role = field(m, "role");
    if (role == nullptr || !role->is_string())
      throw Invalid{p + ".role", "'" + p + ".role' must be a string"};
    msg.role = role->get<std::string>();
    if (msg.role == "developer") msg.role = "system";
    if (msg.role != "system" && msg.role != "user" && msg.role != "assistant" && msg.role != "tool")
      throw Invalid{p + ".role",
                    "unknown role '" + msg.role + "' (system, developer, user, assistant or tool)"};
    const auto content = m.find("content");
    if (content == m.end() && msg.role != "assistant")
      throw Invalid{p + ".content", "'" + p + ".content' is required"};
    if (content != m.end()) msg.content = content_text(*content, p + ".content");
    if (const json* name = field(m, "name")) {
      if (!name->is_string()) wrong_type(p + ".name", *name, "a string");
      msg.name = name->get<std::string>();
    }
    if (const json* tc = field(m, "tool_calls")) {
      if (!tc->is_array()) wrong_type(p + ".tool_calls", *tc, "an array");
      msg.tool_calls = *tc;
    }
    if (const json* id = field(m, "tool_call_id")) {
      if (!id->is_string()) wrong_type(p + ".tool_call_id", *id, "a string");
      msg.tool_call_id = id->get<std::string>();
    }
    r.chat.messages.push_back(std::move(msg));
  }
  common_sampling(j, r.chat, limits);
  stream_fields(j, r);
  response_format(j, r);
  if (const json* tools = field(j, "tools")) {
    if (!tools->is_array()) wrong_type("tools", *tools, "an array");
    r.chat.tools = *tools;
  }
  // Passed to remote providers as written: "none" | "auto" | "required" | {function}.
  if (const json* choice = field(j, "tool_choice")) {
    if (!choice->is_string() && !choice->is_object())
      wrong_type("tool_choice", *choice, "a string or an object");
    r.chat.tool_choice = *choice;
  }
  r.logprobs = boolean(j, "logprobs");
  r.chat.want_logprobs = r.logprobs;
  return r;
}

ParsedChatRequest completion(std::string_view body, const ParseLimits& limits) {
  const json j = parse_body(body);
  ParsedChatRequest r;
  r.chat.model = required_string(j, "model");
  r.chat.max_tokens = 16;  // OpenAI's default for /v1/completions
  const json* prompt = field(j, "prompt");
  if (prompt == nullptr) throw Invalid{"prompt", "'prompt' is required"};
  if (prompt->is_array()) {
    if (prompt->size() != 1 || !(*prompt)[0].is_string())
      throw Invalid{"prompt", "'prompt' must be a string (or an array of exactly one string)"};
    r.chat.prompt = (*prompt)[0].get<std::string>();
  } else if (prompt->is_string()) {
    r.chat.prompt = prompt->get<std::string>();
  } else {
    wrong_type("prompt", *prompt, "a string");
  }
  if (r.chat.prompt.empty()) throw Invalid{"prompt", "'prompt' must not be empty"};
  common_sampling(j, r.chat, limits);
  stream_fields(j, r);
  return r;
}

ParsedEmbeddingRequest embedding(std::string_view body, const ParseLimits& limits) {
  const json j = parse_body(body);
  ParsedEmbeddingRequest r;
  r.model = required_string(j, "model");
  const json* input = field(j, "input");
  if (input == nullptr) throw Invalid{"input", "'input' is required"};
  if (input->is_string()) {
    r.inputs.push_back(input->get<std::string>());
  } else if (input->is_array()) {
    if (input->empty()) throw Invalid{"input", "'input' must not be empty"};
    if (input->size() > limits.max_inputs)
      throw Invalid{"input", "at most " + std::to_string(limits.max_inputs) + " inputs"};
    for (size_t i = 0; i < input->size(); ++i) {
      if (!(*input)[i].is_string())
        wrong_type("input[" + std::to_string(i) + "]", (*input)[i],
                   "a string (token arrays are not supported)");
      r.inputs.push_back((*input)[i].get<std::string>());
    }
  } else {
    wrong_type("input", *input, "a string or an array of strings");
  }
  for (size_t i = 0; i < r.inputs.size(); ++i)
    if (r.inputs[i].empty())
      throw Invalid{r.inputs.size() == 1 ? "input" : "input[" + std::to_string(i) + "]",
                    "inputs must not be empty strings"};
  if (const json* ef = field(j, "encoding_format")) {
    if (!ef->is_string()) wrong_type("encoding_format", *ef, "a string");
    const auto f = ef->get<std::string>();
    if (f != "float" && f != "base64")
      throw Invalid{"encoding_format", "'encoding_format' must be float or base64"};
    r.base64 = f == "base64";
  }
  if (field(j, "dimensions") != nullptr)
    throw Invalid{"dimensions", "'dimensions' is not supported by local models"};
  return r;
}

template <typename T, typename F>
std::variant<T, ParseError> guarded(F&& f) {
  try {
    return f();
  } catch (const Invalid& e) {
    return ParseError{e.param, e.message};
  } catch (const nlohmann::json::exception& e) {
    return ParseError{"", std::string("invalid request: ") + e.what()};
  }
}

}  // namespace

std::variant<ParsedChatRequest, ParseError> parse_chat_request(std::string_view body,
                                                               const ParseLimits& limits) {
  return guarded<ParsedChatRequest>([&] { return chat(body, limits); });
}

std::variant<ParsedChatRequest, ParseError> parse_completion_request(std::string_view body,
                                                                     const ParseLimits& limits) {
  return guarded<ParsedChatRequest>([&] { return completion(body, limits); });
}

std::variant<ParsedEmbeddingRequest, ParseError> parse_embedding_request(
    std::string_view body, const ParseLimits& limits) {
  return guarded<ParsedEmbeddingRequest>([&] { return embedding(body, limits); });
}

}  // namespace tq
