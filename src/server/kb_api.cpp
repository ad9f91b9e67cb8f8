#include "server/kb_api.h"

#include <httplib.h>

#include <algorithm>

#include "core/error.h"
#include "rag/dense.h"
#include "rag/ingest/ingester.h"
#include "rag/ingest/sha256.h"
#include "rag/store.h"
#include "server/auth.h"
#include "server/gateway.h"
#include "server/openai_format.h"

namespace tq {

using nlohmann::json;

namespace {

constexpr size_t kMaxQueryBytes = 4096;
constexpr size_t kMaxNameBytes = 256;

// A request field that is wrong: 400 naming it.
struct BadField {
  std::string param;
  std::string message;
};

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string string_field(const json& req, const char* name, bool required, size_t max_bytes) {
  if (!req.contains(name) || req[name].is_null()) {
    if (required) throw BadField{name, std::string("'") + name + "' is required"};
    return {};
  }
  if (!req[name].is_string()) throw BadField{name, std::string("'") + name + "' must be a string"};
  std::string v = req[name].get<std::string>();
  if (required && v.empty()) throw BadField{name, std::string("'") + name + "' is empty"};
  if (v.size() > max_bytes) {
    throw BadField{
        name, std::string("'") + name + "' is longer than " + std::to_string(max_bytes) + " bytes"};
  }
  return v;
}

// The parser for a document's `format` (the names of `triptyque ingest`'s extensions).
std::string extension_of_format(const std::string& format) {
  static const std::pair<const char*, const char*> kFormats[] = {
      {"text", ".txt"}, {"markdown", ".md"}, {"html", ".html"},   {"csv", ".csv"},
      {"tsv", ".tsv"},  {"json", ".json"},   {"jsonl", ".jsonl"}, {"eml", ".eml"}};
  for (const auto& [name, ext] : kFormats) {
    if (format == name) return ext;
  }
  throw BadField{"format", "unknown format '" + format +
                               "' (text, markdown, html, csv, tsv, json, jsonl, eml)"};
}

json hit_json(const rag::Hit& h) {
  return {{"object", "kb.hit"},
          {"chunk_id", h.chunk_id},
          {"document_id", h.document_id},
          {"collection", h.collection},
          {"label", h.label},
          {"score", h.score},
          {"title", h.title},
          {"snippet", h.snippet},
          {"citation", {{"source", h.source}, {"location", h.location}, {"text", h.citation()}}},
          {"fields", h.fields}};
}

void send(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

}  // namespace

KbApi::KbApi(KbApiOptions options)
    : options_(std::move(options)),
      kb_(std::make_unique<rag::KnowledgeBase>(options_.kb_path.string())),
      retriever_(std::make_unique<rag::Retriever>(*kb_)) {}

KbApi::~KbApi() = default;

// The collection's label when `a` may see it; nullopt for a missing or hidden one.
std::optional<std::string> KbApi::visible_label(const std::string& collection, const KbAccess& a) {
  if (!a.collections.empty() && !contains(a.collections, collection)) return std::nullopt;
  auto c = kb_->find_collection(collection);
  if (!c || !contains(a.labels, c->label)) return std::nullopt;
  return c->label;
}

void KbApi::refresh_dense() {
  if (!options_.embed) return;
  const int64_t gen = kb_->generation();
  if (dense_ && gen == dense_generation_) return;
  dense_ = rag::HnswDenseIndex::open(
      *kb_, options_.embed_model,
      rag::dense_index_path(options_.kb_path.string(), options_.embed_model));
  dense_generation_ = gen;
}

int KbApi::search(const json& req, const KbAccess& access, json& body) {
  try {
    rag::SearchOptions so;
    const std::string query = string_field(req, "query", true, kMaxQueryBytes);
    so.k = 5;
    if (req.contains("k")) {
      if (!req["k"].is_number_integer() || req["k"].get<int64_t>() < 1 ||
          req["k"].get<int64_t>() > static_cast<int64_t>(options_.max_k)) {
        throw BadField{"k", "'k' must be an integer from 1 to " + std::to_string(options_.max_k)};
      }
      so.k = req["k"].get<size_t>();
    }
    if (req.contains("prf")) {
      if (!req["prf"].is_boolean()) throw BadField{"prf", "'prf' must be a boolean"};
      so.prf.enabled = req["prf"].get<bool>();
    }
    if (req.contains("filters")) {
      if (!req["filters"].is_object()) throw BadField{"filters", "'filters' must be an object"};
      for (const auto& [key, value] : req["filters"].items()) {
        if (!value.is_string()) {
          throw BadField{"filters." + key, "filter values must be strings"};
        }
        so.field_filters[key] = value.get<std::string>();
      }
    }
    std::lock_guard lock(mutex_);
    if (req.contains("collections")) {
      if (!req["collections"].is_array()) {
        throw BadField{"collections", "'collections' must be an array of strings"};
      }
      for (const auto& c : req["collections"]) {
        if (!c.is_string()) {
          throw BadField{"collections", "'collections' must be an array of strings"};
        }
        if (!visible_label(c.get<std::string>(), access)) {
          body = error_body(404, "no such collection: " + c.get<std::string>(), "collections",
                            "collection_not_found");
          return 404;
        }
        so.collections.push_back(c.get<std::string>());
      }
    }
    if (so.collections.empty()) so.collections = access.collections;
    so.labels = access.labels;
    refresh_dense();
    json data = json::array();
    for (const auto& h : retriever_->search(query, so)) data.push_back(hit_json(h));
    body = {{"object", "list"}, {"query", query}, {"data", data}};
    return 200;
  } catch (const BadField& e) {
    body = error_body(400, e.message, e.param);
    return 400;
  } catch (const InputError& e) {
    body = error_body(400, e.what());
    return 400;
  }
}

int KbApi::put_document(const json& req, const KbAccess& access, json& body) {
  try {
    const std::string collection = string_field(req, "collection", true, kMaxNameBytes);
    const std::string source = string_field(req, "source", true, 4 * kMaxNameBytes);
    const std::string text = string_field(req, "text", true, SIZE_MAX);
    std::string format = string_field(req, "format", false, 32);
    if (format.empty()) format = "text";
    const std::string ext = extension_of_format(format);
    std::string label = string_field(req, "label", false, 32);
    std::string language = string_field(req, "language", false, 16);
    std::lock_guard lock(mutex_);
    rag::IngestOptions io;
    io.collection = collection;
    if (auto existing = kb_->find_collection(collection)) {
      if (!visible_label(collection, access)) {
        body = error_body(404, "no such collection: " + collection, "collection",
                          "collection_not_found");
        return 404;
      }
      if (!label.empty() && label != existing->label) {
        throw BadField{"label", "collection '" + collection + "' is labelled " + existing->label};
      }
      io.label = existing->label;
      io.analysis = existing->analysis;
    } else {
      if (!access.collections.empty() && !contains(access.collections, collection)) {
        body = error_body(404, "no such collection: " + collection, "collection",
                          "collection_not_found");
        return 404;
      }
      io.label = label.empty() ? access.labels.front() : rag::check_label(label);
      if (!contains(access.labels, io.label)) {
        body = error_body(403, "this API key may not write " + io.label + " data", "label",
                          "insufficient_scope");
        return 403;
      }
      if (!language.empty()) io.analysis.language = rag::normalize_language(language);
    }
    rag::ParsedDocument parsed;
    try {
      parsed = rag::parse_by_extension("document" + ext, text, io.catalog);
    } catch (const InputError& e) {
      throw BadField{"text", std::string("the ") + format + " document is malformed: " + e.what()};
    }
    if (const std::string title = string_field(req, "title", false, kMaxNameBytes);
        !title.empty()) {
      parsed.title = title;
    }
    rag::Ingester ingester(*kb_, io);
    rag::FileResult r = ingester.ingest_parsed(source, rag::sha256_hex(text), text.size(), parsed);
    ingester.finish();
    if (options_.embed) rag::embed_missing(*kb_, options_.embed_model, options_.embed);
    body = {{"object", "kb.document"}, {"collection", collection},           {"label", io.label},
            {"source", source},        {"status", rag::to_string(r.status)}, {"chunks", r.chunks}};
    return r.status == rag::FileResult::Status::added ? 201 : 200;
  } catch (const BadField& e) {
    body = error_body(400, e.message, e.param);
    return 400;
  } catch (const InputError& e) {
    body = error_body(400, e.what());
    return 400;
  }
}

int KbApi::delete_document(const json& req, const KbAccess& access, json& body) {
  try {
    const std::string collection = string_field(req, "collection", true, kMaxNameBytes);
    const std::string source = string_field(req, "source", true, 4 * kMaxNameBytes);
    std::lock_guard lock(mutex_);
    auto c = kb_->find_collection(collection);
    if (!c || !visible_label(collection, access)) {
      body = error_body(404, "no such collection: " + collection, "collection",
                        "collection_not_found");
      return 404;
    }
    if (!kb_->remove_document(*c, source)) {
      body = error_body(404, "no document '" + source + "' in " + collection, "source",
                        "document_not_found");
      return 404;
    }
    body = {{"object", "kb.document.deleted"},
            {"collection", collection},
            {"source", source},
            {"deleted", true}};
    return 200;
  } catch (const BadField& e) {
    body = error_body(400, e.message, e.param);
    return 400;
  }
}

void mount_kb_api(httplib::Server& server, KbApi& api, const KbAuthorizer& authorize) {
  using Handler = int (KbApi::*)(const json&, const KbAccess&, json&);
  auto route = [&api, authorize](const char* scope, Handler handler) {
    return [&api, authorize, scope, handler](const httplib::Request& req, httplib::Response& res) {
      const auto access = authorize(req, res, scope);
      if (!access) return;
      json request = json::object();
      if (!req.body.empty()) {
        request = json::parse(req.body, nullptr, false);
        if (request.is_discarded() || !request.is_object()) {
          send(res, 400, error_body(400, "the body must be a JSON object"));
          return;
        }
      }
      for (const char* p : {"collection", "source"}) {  // DELETE may use the query string
        if (req.has_param(p) && !request.contains(p)) request[p] = req.get_param_value(p);
      }
      json body;
      const int status = (api.*handler)(request, *access, body);
      send(res, status, body);
    };
  };
  server.Post("/v1/kb/search", route("kb", &KbApi::search));
  server.Post("/v1/kb/documents", route("kb_write", &KbApi::put_document));
  server.Delete("/v1/kb/documents", route("kb_write", &KbApi::delete_document));
}

std::unique_ptr<KbApi> mount_gateway_kb_api(httplib::Server& server, const ServerOptions& options,
                                            const ProviderRegistry& registry, KeyStore& keys) {
  if (options.kb_path.empty()) return nullptr;
  KbApiOptions o;
  o.kb_path = options.kb_path;
  if (!options.kb_embed_model.empty()) {
    auto resolved = registry.resolve(options.kb_embed_model);
    if (!resolved) {
      throw InputError("kb.embeddings.model '" + options.kb_embed_model +
                       "' is not a model of the configured providers");
    }
    Provider* provider = resolved->provider;
    const std::string model = resolved->model;
    o.embed = [provider, model](const std::vector<std::string>& texts) {
      return provider->embed(model, texts).vectors;
    };
    o.embed_model = options.kb_embed_model;
  }
  auto api = std::make_unique<KbApi>(std::move(o));
  mount_kb_api(server, *api,
               [&keys](const httplib::Request& req, httplib::Response& res,
                       const std::string& scope) -> std::optional<KbAccess> {
                 const AuthDecision d = keys.check(req.get_header_value("Authorization"), scope);
                 switch (d.outcome) {
                   case AuthDecision::Outcome::Allowed:
                     break;
                   case AuthDecision::Outcome::Unauthorized:
                     send(res, 401, error_body(401, d.message, "", "invalid_api_key"));
                     return std::nullopt;
                   case AuthDecision::Outcome::Forbidden:
                     send(res, 403, error_body(403, d.message, "", "insufficient_scope"));
                     return std::nullopt;
                   case AuthDecision::Outcome::RateLimited:
                     res.set_header("Retry-After",
                                    std::to_string(static_cast<int64_t>(d.retry_after_s) + 1));
                     send(res, 429, error_body(429, d.message, "", "rate_limit_exceeded"));
                     return std::nullopt;
                 }
                 KbAccess a;
                 a.key_name = d.key_name;
                 if (d.key != nullptr) {
                   if (!d.key->kb_labels.empty()) a.labels = d.key->kb_labels;
                   a.collections = d.key->kb_collections;
                   a.may_write = d.key->scopes.count("kb_write") != 0;
                 }
                 if (scope == "kb_write" && !a.may_write) {
                   send(res, 403,
                        error_body(403,
                                   "this API key may not change the knowledge base: list "
                                   "\"kb_write\" in its scopes",
                                   "", "insufficient_scope"));
                   return std::nullopt;
                 }
                 return a;
               });
  return api;
}

}  // namespace tq
