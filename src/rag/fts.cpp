#include "rag/fts.h"

#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <memory>
#include <new>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace tq::rag {
namespace {

// ---- tokenizer ---------------------------------------------------------------------

struct TokenizerInstance {
  Analyzer analyzer;
  explicit TokenizerInstance(AnalyzerOptions o) : analyzer(std::move(o)) {}
};

int tok_create(void* /*ctx*/, const char** args, int nargs, Fts5Tokenizer** out) {
  AnalyzerOptions options;
  try {
    for (int i = 0; i + 1 < nargs; i += 2) {
      std::string_view key = args[i];
      std::string_view value = args[i + 1];
      if (key == "language") {
        options.language = normalize_language(value);
      } else if (key == "stem") {
        options.stem = value == "1" || value == "on";
      } else if (key == "stopwords") {
        options.stopwords = value == "1" || value == "on";
      } else {
        return SQLITE_ERROR;
      }
    }
    if (nargs % 2 != 0) return SQLITE_ERROR;
    *out = reinterpret_cast<Fts5Tokenizer*>(new TokenizerInstance(options));
    return SQLITE_OK;
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  } catch (const std::exception&) {
    return SQLITE_ERROR;
  }
}

void tok_delete(Fts5Tokenizer* t) {
  delete reinterpret_cast<TokenizerInstance*>(t);
}

int tok_tokenize(Fts5Tokenizer* t, void* ctx, int /*flags*/, const char* text, int ntext,
                 int (*token)(void*, int, const char*, int, int, int)) {
  auto* self = reinterpret_cast<TokenizerInstance*>(t);
  if (ntext <= 0 || text == nullptr) return SQLITE_OK;
  try {
    return self->analyzer.analyze(std::string_view(text, static_cast<size_t>(ntext)),
                                  [&](std::string_view term, size_t begin, size_t end) {
                                    return token(ctx, 0, term.data(), static_cast<int>(term.size()),
                                                 static_cast<int>(begin), static_cast<int>(end));
                                  });
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  }
}

// ---- ranking -----------------------------------------------------------------------

struct Bm25Query {
  double k1 = 1.2;
  double b = 0.75;
  double avgdl = 1.0;
  std::vector<double> column_weights;
  std::vector<double> phrase_weights;
  std::vector<double> idf;
  // In-query pruning ("LIMIT NORM_MIN THETA", optional): a row whose score, bounded with
  // the smallest length norm any row can have, stays under both THETA and the LIMIT-th
  // best score seen so far cannot be in the LIMIT best: it gets kBm25Skipped without reading
  // its length (a %_docsize lookup, the largest per-row cost).
  size_t limit = 0;
  double norm_min = 0;
  double theta = -std::numeric_limits<double>::infinity();
  std::priority_queue<double, std::vector<double>, std::greater<>> best;  // min-heap
  std::vector<double> tf;                                                 // scratch: per phrase
};

std::vector<double> parse_weights(const unsigned char* text) {
  std::vector<double> out;
  if (text == nullptr) return out;
  const char* p = reinterpret_cast<const char*>(text);
  while (*p != 0) {
    char* end = nullptr;
    double v = std::strtod(p, &end);
    if (end == p) break;
    out.push_back(v);
    p = end;
    while (*p == ',' || *p == ' ') ++p;
  }
  return out;
}

int count_row(const Fts5ExtensionApi*, Fts5Context*, void* user) {
  ++*static_cast<int64_t*>(user);
  return SQLITE_OK;
}

Bm25Query* prepare_query(const Fts5ExtensionApi* api, Fts5Context* fts, int nval,
                         sqlite3_value** vals, int* rc) {
  auto* q = static_cast<Bm25Query*>(api->xGetAuxdata(fts, 0));
  if (q != nullptr) return q;
  auto owned = std::make_unique<Bm25Query>();
  if (nval > 0) owned->k1 = sqlite3_value_double(vals[0]);
  if (nval > 1) owned->b = sqlite3_value_double(vals[1]);
  if (nval > 2) owned->column_weights = parse_weights(sqlite3_value_text(vals[2]));
  if (nval > 3) owned->phrase_weights = parse_weights(sqlite3_value_text(vals[3]));
  if (nval > 4) owned->idf = parse_weights(sqlite3_value_text(vals[4]));
  if (nval > 5 && sqlite3_value_type(vals[5]) != SQLITE_NULL) {
    const auto prune = parse_weights(sqlite3_value_text(vals[5]));
    if (prune.size() == 3 && prune[0] >= 1) {
      owned->limit = static_cast<size_t>(prune[0]);
      owned->norm_min = prune[1];
      owned->theta = prune[2];
    }
  }
  sqlite3_int64 rows = 0;
  sqlite3_int64 tokens = 0;
  if ((*rc = api->xRowCount(fts, &rows)) != SQLITE_OK) return nullptr;
  if ((*rc = api->xColumnTotalSize(fts, -1, &tokens)) != SQLITE_OK) return nullptr;
  owned->avgdl = rows > 0 ? static_cast<double>(tokens) / static_cast<double>(rows) : 1.0;
  if (owned->avgdl <= 0) owned->avgdl = 1.0;
  const int nphrase = api->xPhraseCount(fts);
  // The caller may pass every phrase's idf (the retriever does, from cached document
  // frequencies); otherwise each phrase's rows are counted here, a walk of its doclist.
  if (owned->idf.size() != static_cast<size_t>(nphrase)) {
    owned->idf.clear();
    for (int p = 0; p < nphrase; ++p) {
      int64_t hits = 0;
      if ((*rc = api->xQueryPhrase(fts, p, &hits, count_row)) != SQLITE_OK) return nullptr;
      owned->idf.push_back(bm25_idf(static_cast<double>(rows), static_cast<double>(hits)));
    }
  }
  q = owned.get();
  *rc = api->xSetAuxdata(fts, owned.release(), [](void* p) { delete static_cast<Bm25Query*>(p); });
  return *rc == SQLITE_OK ? q : nullptr;
}

void tq_bm25(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* ctx, int nval,
             sqlite3_value** vals) {
  int rc = SQLITE_OK;
  Bm25Query* q = nullptr;
  try {
    q = prepare_query(api, fts, nval, vals, &rc);
  } catch (const std::bad_alloc&) {
    rc = SQLITE_NOMEM;
  }
  if (q == nullptr) {
    sqlite3_result_error_code(ctx, rc == SQLITE_OK ? SQLITE_ERROR : rc);
    return;
  }
  const int nphrase = api->xPhraseCount(fts);
  auto weight = [&](size_t pi) {
    return pi < q->phrase_weights.size() ? q->phrase_weights[pi] : 1.0;
  };
  q->tf.assign(static_cast<size_t>(nphrase), 0.0);
  for (int p = 0; p < nphrase; ++p) {
    auto pi = static_cast<size_t>(p);
    if (weight(pi) == 0) continue;  // a phrase that only selects rows (pruned search)
    double tf = 0;
    Fts5PhraseIter it{};
    int col = 0;
    int off = 0;
    for (api->xPhraseFirst(fts, p, &it, &col, &off); col >= 0;
         api->xPhraseNext(fts, &it, &col, &off)) {
      auto c = static_cast<size_t>(col);
      tf += c < q->column_weights.size() ? q->column_weights[c] : 1.0;
    }
    q->tf[pi] = tf;
  }
  // The same sum, in the same order, with `norm`: bounds and scores agree to the bit.
  auto sum = [&](double norm) {
    double score = 0;
    for (size_t pi = 0; pi < q->tf.size(); ++pi) {
      const double tf = q->tf[pi];
      if (tf <= 0) continue;
      score += weight(pi) * q->idf[pi] * tf * (q->k1 + 1.0) / (tf + norm);
    }
    return score;
  };
  if (q->limit > 0) {
    const double bound = sum(q->norm_min) * (1.0 + 1e-9);
    if (bound < q->theta || (q->best.size() >= q->limit && bound < q->best.top())) {
      sqlite3_result_double(ctx, kBm25Skipped);
      return;
    }
  }
  int dl = 0;
  if ((rc = api->xColumnSize(fts, -1, &dl)) != SQLITE_OK) {
    sqlite3_result_error_code(ctx, rc);
    return;
  }
  const double score = sum(q->k1 * (1.0 - q->b + q->b * static_cast<double>(dl) / q->avgdl));
  if (q->limit > 0) {
    q->best.push(score);
    if (q->best.size() > q->limit) q->best.pop();
  }
  sqlite3_result_double(ctx, score);
}

// tq_stats(fts): "ROWS TOKENS", the table's row count and total token count (all columns),
// read from FTS5's own totals on any matching row.
void tq_stats(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* ctx, int,
              sqlite3_value**) {
  sqlite3_int64 rows = 0;
  sqlite3_int64 tokens = 0;
  int rc = api->xRowCount(fts, &rows);
  if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &tokens);
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(ctx, rc);
    return;
  }
  const std::string out = std::to_string(rows) + " " + std::to_string(tokens);
  sqlite3_result_text(ctx, out.c_str(), static_cast<int>(out.size()), SQLITE_TRANSIENT);
}

}  // namespace

double bm25_idf(double rows, double df) {
  // Lucene's form: always positive, so a term in most rows still counts a little.
  return std::log(1.0 + (rows - df + 0.5) / (df + 0.5));
}

void register_fts_extensions(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, nullptr) != SQLITE_OK) {
    throw Error(std::string("SQLite has no FTS5: ") + sqlite3_errmsg(db));
  }
  sqlite3_bind_pointer(st, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
  sqlite3_step(st);
  sqlite3_finalize(st);
  if (api == nullptr || api->iVersion < 2) throw Error("SQLite's FTS5 API (version 2) is missing");
  static fts5_tokenizer tokenizer = {tok_create, tok_delete, tok_tokenize};
  if (api->xCreateTokenizer(api, "tq", nullptr, &tokenizer, nullptr) != SQLITE_OK) {
    throw Error("registering the tq FTS5 tokenizer failed");
  }
  if (api->xCreateFunction(api, "tq_bm25", nullptr, tq_bm25, nullptr) != SQLITE_OK ||
      api->xCreateFunction(api, "tq_stats", nullptr, tq_stats, nullptr) != SQLITE_OK) {
    throw Error("registering tq_bm25 / tq_stats failed");
  }
}

std::string fts_tokenize_arg(const AnalyzerOptions& o) {
  return "tq language " + o.language + " stem " + (o.stem ? "1" : "0") + " stopwords " +
         (o.stopwords ? "1" : "0");
}

}  // namespace tq::rag
