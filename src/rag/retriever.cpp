#include "rag/retriever.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <sstream>
#include <unordered_map>

#include "core/error.h"
#include "rag/fts.h"
#include "rag/sqlite_util.h"

namespace tq::rag {
namespace {

struct QueryTerm {
  std::string term;     // as indexed (folded, stemmed)
  std::string surface;  // a word of the text that analyses to `term`
  double weight = 1.0;
};

std::string quote_fts(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string placeholders(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += i ? ",?" : "?";
  return s;
}

std::vector<QueryTerm> query_terms(Analyzer& analyzer, const std::string& text) {
  std::vector<QueryTerm> out;
  std::unordered_map<std::string, size_t> index;
  analyzer.analyze(text, [&](std::string_view term, size_t b, size_t e) {
    auto [it, fresh] = index.emplace(std::string(term), out.size());
    if (fresh) {
      out.push_back({std::string(term), text.substr(b, e - b), 1.0});
    } else {
      out[it->second].weight += 1.0;
    }
    return 0;
  });
  return out;
}

// Pruning enumerates term sets; longer queries, or too many sets, score exhaustively.
constexpr size_t kMaxPrunedTerms = 8;
constexpr size_t kMaxPrunedSets = 64;

}  // namespace

Bm25Params default_bm25(const std::string& language) {
  Bm25Params p;
  if (language == "en") {
    p.k1 = 2.0;
    p.title_weight = 2.0;
  }
  return p;
}

std::string Hit::citation() const {
  return location.empty() ? source : source + " › " + location;
}

std::vector<std::pair<int64_t, double>> reciprocal_rank_fusion(
    const std::vector<std::vector<int64_t>>& rankings, const std::vector<double>& weights,
    double k) {
  std::unordered_map<int64_t, double> score;
  std::vector<int64_t> order;  // first appearance, for a stable tie order
  for (size_t r = 0; r < rankings.size(); ++r) {
    double w = r < weights.size() ? weights[r] : 1.0;
    for (size_t i = 0; i < rankings[r].size(); ++i) {
      auto [it, fresh] = score.emplace(rankings[r][i], 0.0);
      if (fresh) order.push_back(rankings[r][i]);
      it->second += w / (k + static_cast<double>(i + 1));
    }
  }
  std::vector<std::pair<int64_t, double>> out;
  out.reserve(order.size());
  for (int64_t id : order) out.emplace_back(id, score[id]);
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

struct Retriever::Impl {
  KnowledgeBase& kb;
  std::unordered_map<int64_t, std::unique_ptr<Analyzer>> analyzers;
  EmbedFn embed;
  std::shared_ptr<const DenseIndex> dense;
  FusionWeights fusion;

  explicit Impl(KnowledgeBase& k) : kb(k) {}

  Analyzer& analyzer_for(const Collection& c) {
    auto& a = analyzers[c.id];
    if (!a || !(a->options() == c.analysis)) a = std::make_unique<Analyzer>(c.analysis);
    return *a;
  }

  // The collections the caller may read, chosen in SQL by label (and name when given).
  std::vector<Collection> allowed(const SearchOptions& o) const {
    for (const auto& l : o.labels) check_label(l);
    if (o.labels.empty()) return {};
    std::string sql =
        "SELECT id, name, label, language, stem, stopwords FROM collections WHERE label IN (" +
        placeholders(o.labels.size()) + ")";
    if (!o.collections.empty()) sql += " AND name IN (" + placeholders(o.collections.size()) + ")";
    Stmt s(kb.db(), sql);
    int i = 1;
    for (const auto& l : o.labels) s.bind(i++, l);
    for (const auto& c : o.collections) s.bind(i++, c);
    std::vector<Collection> out;
    while (s.step()) {
      Collection c;
      c.id = s.int64(0);
      c.name = s.text(1);
      c.label = s.text(2);
      c.analysis.language = s.text(3);
      c.analysis.stem = s.int64(4) != 0;
      c.analysis.stopwords = s.int64(5) != 0;
      out.push_back(std::move(c));
    }
    return out;
  }

  // What pruning needs from a collection: FTS5's row and token totals, the fewest terms
  // in a chunk, and whether the store kept score bounds for it.
  struct CollectionStats {
    double rows = 0;
    double avgdl = 1;
    double min_terms = 0;
    bool bounds_valid = false;
  };

  struct DfCache {
    int64_t generation = -1;
    std::unordered_map<std::string, int64_t> df;
  };
  std::unordered_map<int64_t, DfCache> df_cache;

  CollectionStats stats(const Collection& c, const std::string& fts,
                        const std::vector<QueryTerm>& terms) {
    CollectionStats st;
    Stmt info(kb.db(), "SELECT min_terms, bounds_valid FROM collections WHERE id = ?");
    info.bind(1, c.id);
    if (info.step()) {
      st.min_terms = info.is_null(0) ? 0.0 : static_cast<double>(info.int64(0));
      st.bounds_valid = info.int64(1) != 0;
    }
    // FTS5's totals are readable on any matching row: the first term's will do.
    Stmt totals(kb.db(),
                "SELECT tq_stats(" + fts + ") FROM " + fts + " WHERE " + fts + " MATCH ? LIMIT 1");
    for (const auto& t : terms) {
      totals.bind(1, quote_fts(t.surface));
      if (totals.step()) {
        double tokens = 0;
        std::istringstream in(totals.text(0));
        in >> st.rows >> tokens;
        st.avgdl = st.rows > 0 && tokens > 0 ? tokens / st.rows : 1.0;
        break;
      }
      totals.reset();
    }
    return st;
  }

  // Rows holding `term` (fts5vocab walks its doclist), cached until the store changes.
  int64_t document_frequency(const Collection& c, const std::string& term) {
    DfCache& cache = df_cache[c.id];
    const int64_t gen = kb.generation();
    if (cache.generation != gen) {
      cache.df.clear();
      cache.generation = gen;
    }
    if (auto it = cache.df.find(term); it != cache.df.end()) return it->second;
    std::string vocab = "temp.vocab_c" + std::to_string(c.id);
    exec(kb.db(), "CREATE VIRTUAL TABLE IF NOT EXISTS " + vocab + " USING fts5vocab('main', '" +
                      fts_table_name(c.id) + "', 'row')");
    Stmt df(kb.db(), "SELECT doc FROM " + vocab + " WHERE term = ?");
    df.bind(1, term);
    const int64_t n = df.step() ? df.int64(0) : 0;
    if (cache.df.size() > 100000) cache.df.clear();
    cache.df.emplace(term, n);
    return n;
  }

  int64_t max_tf(const Collection& c, const std::string& term) {
    Stmt s(kb.db(), "SELECT max_tf FROM tf_bounds WHERE collection_id = ? AND term = ?");
    s.bind(1, c.id).bind(2, term);
    return s.step() ? s.int64(0) : kTfBoundFloor;
  }

  // One FTS5 query: rows matching `match`, scored by tq_bm25 with one weight and idf per
  // phrase (in the order the phrases appear in `match`), best `limit` first.
  std::vector<std::pair<int64_t, double>> run_query(const Collection& c, const std::string& match,
                                                    const std::string& weights,
                                                    const std::string& idfs, const SearchOptions& o,
                                                    const Bm25Params& p, size_t limit,
                                                    const std::string& prune) {
    std::string fts = fts_table_name(c.id);
    std::string sql =
        "SELECT rowid, tq_bm25(" + fts + ", ?, ?, ?, ?, ?, ?) AS s FROM " + fts + " WHERE " + fts +
        " MATCH ? AND EXISTS (SELECT 1 FROM collections WHERE id = " + std::to_string(c.id) +
        " AND label IN (" + placeholders(o.labels.size()) + "))";
    for (size_t i = 0; i < o.field_filters.size(); ++i) {
      sql += " AND +rowid IN (SELECT id FROM chunks WHERE json_extract(fields, ?) = ?)";
    }
    sql += " ORDER BY s DESC, rowid LIMIT ?";
    Stmt s(kb.db(), sql);
    std::ostringstream colw;
    colw << p.title_weight << "," << p.body_weight;
    s.bind(1, p.k1).bind(2, p.b).bind(3, colw.str()).bind(4, weights).bind(5, idfs);
    if (prune.empty()) {
      s.bind_null(6);
    } else {
      s.bind(6, prune);
    }
    s.bind(7, match);
    int i = 8;
    for (const auto& l : o.labels) s.bind(i++, l);
    for (const auto& [key, value] : o.field_filters) {
      s.bind(i, "$." + quote_fts(key));
      s.bind(i + 1, value);
      i += 2;
    }
    s.bind(i++, static_cast<int64_t>(limit));
    std::vector<std::pair<int64_t, double>> out;
    while (s.step()) {
      if (s.real(1) > kBm25Skipped) out.emplace_back(s.int64(0), s.real(1));
    }
    return out;
  }

  // BM25 top `depth` of one collection. Short queries are pruned, exactly: a chunk holding
  // only the query terms of a set S scores at most Σ_{t∈S} UB(t), where UB(t) bounds one
  // term's contribution (its idf, its largest count in a chunk and the shortest chunk:
  // store.h's bounds). Sets of m terms are queried from m = all terms down — FTS5 answers
  // an AND by skipping through doclists, so the many chunks holding a single common term
  // are never scored — skipping sets whose bound is below the current k-th score θ, and
  // stopping once no set of m−1 terms can reach θ. Long queries (PRF's, questions) score
  // every matching chunk.
  std::vector<std::pair<int64_t, double>> bm25(const Collection& c,
                                               const std::vector<QueryTerm>& query,
                                               const SearchOptions& o, size_t depth) {
    if (query.empty() || depth == 0) return {};
    const std::string fts = fts_table_name(c.id);
    const Bm25Params p = o.bm25 ? *o.bm25 : default_bm25(c.analysis.language);
    const CollectionStats st = stats(c, fts, query);
    if (st.rows <= 0) return {};
    struct Term {
      const QueryTerm* q;
      double idf;
      double ub;
    };
    std::vector<Term> terms;
    const double max_cw = std::max(p.title_weight, p.body_weight);
    const double norm_min = p.k1 * (1.0 - p.b + p.b * st.min_terms / st.avgdl);
    for (const auto& q : query) {
      const auto df = static_cast<double>(document_frequency(c, q.term));
      if (df <= 0) continue;
      const double idf = bm25_idf(st.rows, df);
      const double tf = max_cw * static_cast<double>(max_tf(c, q.term));
      // A hair above the bound, so rounding can never prune a chunk that ties with θ.
      const double ub = q.weight * idf * tf * (p.k1 + 1.0) / (tf + norm_min) * (1.0 + 1e-9);
      terms.push_back({&q, idf, ub});
    }
    if (terms.empty()) return {};
    std::sort(terms.begin(), terms.end(), [](const Term& a, const Term& b) { return a.ub > b.ub; });
    std::string all;  // the scoring phrases, first in every query
    std::ostringstream weights;
    std::ostringstream idfs;
    weights.precision(17);
    idfs.precision(17);
    for (size_t i = 0; i < terms.size(); ++i) {
      all += (i ? " OR " : "") + quote_fts(terms[i].q->surface);
      weights << (i ? "," : "") << terms[i].q->weight;
      idfs << (i ? "," : "") << terms[i].idf;
    }
    const bool sound = p.k1 > 0 && p.b >= 0 && p.b <= 1 && p.title_weight >= 0 &&
                       p.body_weight >= 0 && st.min_terms >= 0;
    // In-query pruning (tq_bm25 keeps its own top `depth`) needs only the length bound.
    auto prune = [&](double th) {
      if (o.exhaustive || !sound) return std::string();
      std::ostringstream out;
      out.precision(17);
      out << depth << " " << norm_min << " " << (std::isfinite(th) ? th : -1e308);
      return out.str();
    };
    const bool prunable =
        !o.exhaustive && sound && st.bounds_valid && terms.size() <= kMaxPrunedTerms;
    if (!prunable) {
      return run_query(c, all, weights.str(), idfs.str(), o, p, depth,
                       prune(-std::numeric_limits<double>::infinity()));
    }

    std::vector<std::pair<int64_t, double>> best;  // sorted: score desc, rowid asc
    auto theta = [&] {
      return best.size() < depth ? -std::numeric_limits<double>::infinity() : best.back().second;
    };
    const size_t n = terms.size();
    for (size_t m = n; m >= 1; --m) {
      // The m-term sets whose bound reaches θ (terms are sorted by bound, so a set's
      // remaining members can only lower it: prune the enumeration with that).
      std::vector<std::vector<size_t>> sets;
      std::vector<size_t> cur;
      const double th = theta();
      bool too_many = false;
      std::function<void(size_t, double)> pick = [&](size_t from, double sum) {
        if (too_many) return;
        if (cur.size() == m) {
          if (sum >= th) sets.push_back(cur);
          too_many = sets.size() > kMaxPrunedSets;
          return;
        }
        for (size_t i = from; i + (m - cur.size()) <= n; ++i) {
          double rest = sum;  // the best this branch can reach
          for (size_t j = i; j < i + (m - cur.size()); ++j) rest += terms[j].ub;
          if (rest < th) break;
          cur.push_back(i);
          pick(i + 1, sum + terms[i].ub);
          cur.pop_back();
        }
      };
      pick(0, 0.0);
      std::vector<std::pair<int64_t, double>> found;
      if (too_many || (m == 1 && sets.size() == n)) {
        // Every chunk holding any term may still count: score them all.
        found = run_query(c, all, weights.str(), idfs.str(), o, p, depth, prune(th));
        best.clear();
        m = 1;
      } else if (!sets.empty()) {
        std::string filter;
        std::string w = weights.str();
        std::string f = idfs.str();
        for (const auto& set : sets) {
          filter += filter.empty() ? "(" : " OR (";
          for (size_t i = 0; i < set.size(); ++i) {
            filter += (i ? " AND " : "") + quote_fts(terms[set[i]].q->surface);
            w += ",0";
            f += ",0";
          }
          filter += ")";
        }
        std::string match = "(";
        match += all;
        match += ") AND (";
        match += filter;
        match += ")";
        found = run_query(c, match, w, f, o, p, depth, prune(th));
      }
      for (const auto& h : found) {
        if (std::none_of(best.begin(), best.end(),
                         [&](const auto& b) { return b.first == h.first; })) {
          best.push_back(h);
        }
      }
      std::sort(best.begin(), best.end(), [](const auto& a, const auto& b) {
        return a.second > b.second || (a.second == b.second && a.first < b.first);
      });
      if (best.size() > depth) best.resize(depth);
      if (m == 1) break;
      double bound = 0;  // the best any chunk holding at most m−1 of the terms can score
      for (size_t i = 0; i + 1 < m; ++i) bound += terms[i].ub;
      if (best.size() >= depth && bound < theta()) break;
    }
    return best;
  }

  // RM3 expansion from the first pass's top documents.
  std::vector<QueryTerm> expand(const Collection& c, Analyzer& analyzer,
                                const std::vector<QueryTerm>& original,
                                const std::vector<std::pair<int64_t, double>>& first,
                                const PrfParams& prf) {
    size_t ndocs = std::min(first.size(), static_cast<size_t>(std::max(prf.docs, 0)));
    if (ndocs == 0) return original;
    double total_score = 0;
    for (size_t d = 0; d < ndocs; ++d) total_score += std::max(first[d].second, 0.0);
    if (total_score <= 0) return original;
    struct Stat {
      double rel = 0;
      std::string surface;
    };
    std::unordered_map<std::string, Stat> model;
    Stmt text(kb.db(), "SELECT title || char(10) || body FROM chunks WHERE id = ?");
    for (size_t d = 0; d < ndocs; ++d) {
      text.bind(1, first[d].first);
      if (!text.step()) {
        text.reset();
        continue;
      }
      std::string body = text.text(0);
      text.reset();
      std::unordered_map<std::string, std::pair<int, std::string>> tf;
      int len = 0;
      analyzer.analyze(body, [&](std::string_view t, size_t b, size_t e) {
        auto& slot = tf[std::string(t)];
        if (slot.first++ == 0) slot.second = body.substr(b, e - b);
        ++len;
        return 0;
      });
      if (len == 0) continue;
      double wd = std::max(first[d].second, 0.0) / total_score;
      for (auto& [term, cnt] : tf) {
        auto& st = model[term];
        st.rel += wd * cnt.first / len;
        if (st.surface.empty()) st.surface = cnt.second;
      }
    }
    std::string vocab = "temp.vocab_c" + std::to_string(c.id);
    exec(kb.db(), "CREATE VIRTUAL TABLE IF NOT EXISTS " + vocab + " USING fts5vocab('main', '" +
                      fts_table_name(c.id) + "', 'row')");
    Stmt rows(kb.db(), "SELECT count(*) FROM chunks WHERE collection_id = ?");
    rows.bind(1, c.id);
    rows.step();
    double n = static_cast<double>(std::max<int64_t>(rows.int64(0), 1));
    Stmt df(kb.db(), "SELECT doc FROM " + vocab + " WHERE term = ?");
    std::vector<std::pair<double, const std::string*>> ranked;
    // Document frequencies cost a doclist walk each: only the terms most weighted by
    // the relevance model (10 per expansion term wanted) are candidates.
    std::vector<std::pair<double, const std::string*>> candidates;
    candidates.reserve(model.size());
    for (auto& [term, st] : model) candidates.emplace_back(st.rel, &term);
    size_t ncand = std::min(candidates.size(), static_cast<size_t>(std::max(prf.terms, 0)) * 10);
    std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(ncand),
                      candidates.end(),
                      [](const auto& a, const auto& b) { return a.first > b.first; });
    candidates.resize(ncand);
    ranked.reserve(ncand);
    for (const auto& [rel, term_ptr] : candidates) {
      const std::string& term = *term_ptr;
      const auto& st = model[term];
      df.bind(1, term);
      double dfv = df.step() ? static_cast<double>(df.int64(0)) : 1.0;
      df.reset();
      double idf = std::log((n + 1.0) / (dfv + 0.5));
      if (idf <= 0) continue;
      ranked.emplace_back(st.rel * idf, term_ptr);
    }
    size_t nterms = std::min(ranked.size(), static_cast<size_t>(std::max(prf.terms, 0)));
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(nterms),
                      ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    double exp_total = 0;
    for (size_t i = 0; i < nterms; ++i) exp_total += ranked[i].first;
    double orig_total = 0;
    for (const auto& t : original) orig_total += t.weight;
    std::vector<QueryTerm> out;
    std::unordered_map<std::string, size_t> index;
    const double lambda = prf.original_weight;
    for (const auto& t : original) {
      index[t.term] = out.size();
      out.push_back({t.term, t.surface, lambda * t.weight / orig_total});
    }
    for (size_t i = 0; i < nterms && exp_total > 0; ++i) {
      const std::string& term = *ranked[i].second;
      double w = (1.0 - lambda) * ranked[i].first / exp_total;
      if (auto it = index.find(term); it != index.end()) {
        out[it->second].weight += w;
      } else {
        index[term] = out.size();
        out.push_back({term, model[term].surface, w});
      }
    }
    return out;
  }

  std::vector<std::pair<int64_t, double>> rank(const std::string& query, const SearchOptions& o,
                                               size_t depth) {
    std::vector<std::pair<int64_t, double>> all;
    for (const auto& c : allowed(o)) {
      Analyzer& analyzer = analyzer_for(c);
      auto terms = query_terms(analyzer, query);
      auto first = bm25(c, terms, o,
                        o.prf.enabled ? std::max(depth, static_cast<size_t>(o.prf.docs)) : depth);
      if (o.prf.enabled && !first.empty()) {
        auto expanded = expand(c, analyzer, terms, first, o.prf);
        first = bm25(c, expanded, o, depth);
      }
      if (first.size() > depth) first.resize(depth);
      all.insert(all.end(), first.begin(), first.end());
    }
    std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
      return a.second > b.second || (a.second == b.second && a.first < b.first);
    });
    if (all.size() > depth) all.resize(depth);
    return all;
  }
};

Retriever::Retriever(KnowledgeBase& kb) : impl_(std::make_unique<Impl>(kb)) {}
Retriever::~Retriever() = default;

void Retriever::set_dense(EmbedFn embed, std::shared_ptr<const DenseIndex> index,
                          FusionWeights weights) {
  impl_->embed = std::move(embed);
  impl_->dense = std::move(index);
  impl_->fusion = weights;
}

std::vector<std::pair<int64_t, double>> Retriever::rank_bm25(const std::string& query,
                                                             const SearchOptions& options,
                                                             size_t depth) {
  return impl_->rank(query, options, depth);
}

std::vector<Hit> Retriever::search(const std::string& query, const SearchOptions& o) {
  const size_t depth = impl_->dense ? std::max<size_t>(o.k * 5, 50) : o.k;
  auto ranked = impl_->rank(query, o, depth);
  if (impl_->dense && impl_->embed) {
    auto vecs = impl_->embed({query});
    if (vecs.size() != 1) throw Error("the embedding function returned no vector for the query");
    std::vector<int64_t> collections;
    for (const auto& c : impl_->allowed(o)) collections.push_back(c.id);
    auto dense = impl_->dense->search(vecs[0], depth, collections);
    std::vector<int64_t> a;
    std::vector<int64_t> b;
    a.reserve(ranked.size());
    b.reserve(dense.size());
    for (const auto& r : ranked) a.push_back(r.first);
    for (const auto& r : dense) b.push_back(r.first);
    ranked =
        reciprocal_rank_fusion({a, b}, {impl_->fusion.bm25, impl_->fusion.dense}, impl_->fusion.k);
  }
  // Hydrate; the label check is repeated here so that a dense index can never leak a
  // chunk from a collection the caller may not read.
  std::string sql =
      "SELECT k.id, k.document_id, c.name, d.source, k.location, k.title, k.body, k.fields, c.id,"
      " c.label"
      " FROM chunks k JOIN documents d ON d.id = k.document_id"
      " JOIN collections c ON c.id = k.collection_id WHERE k.id = ? AND c.label IN (" +
      placeholders(o.labels.size()) + ")";
  if (!o.collections.empty()) sql += " AND c.name IN (" + placeholders(o.collections.size()) + ")";
  for (size_t f = 0; f < o.field_filters.size(); ++f) sql += " AND json_extract(k.fields, ?) = ?";
  if (o.labels.empty()) return {};
  Stmt s(impl_->kb.db(), sql);
  std::vector<Hit> hits;
  for (const auto& [id, score] : ranked) {
    if (hits.size() >= o.k) break;
    s.bind(1, id);
    int i = 2;
    for (const auto& l : o.labels) s.bind(i++, l);
    for (const auto& c : o.collections) s.bind(i++, c);
    for (const auto& [key, value] : o.field_filters) {
      s.bind(i, "$." + quote_fts(key));
      s.bind(i + 1, value);
      i += 2;
    }
    if (!s.step()) {
      s.reset();
      continue;
    }
    Hit h;
    h.chunk_id = s.int64(0);
    h.document_id = s.int64(1);
    h.collection = s.text(2);
    h.source = s.text(3);
    h.location = s.text(4);
    h.title = s.text(5);
    std::string body = s.text(6);
    h.fields = nlohmann::json::parse(s.text(7), nullptr, false);
    if (h.fields.is_discarded()) h.fields = nlohmann::json::object();
    int64_t cid = s.int64(8);
    h.label = s.text(9);
    h.score = score;
    s.reset();
    if (o.with_snippet) {
      std::string fts = fts_table_name(cid);
      std::string match;
      Collection c;
      c.id = cid;
      for (const auto& t : query_terms(
               *std::make_unique<Analyzer>(impl_->kb.find_collection(h.collection)->analysis),
               query)) {
        match += (match.empty() ? "" : " OR ") + quote_fts(t.surface);
      }
      if (!match.empty()) {
        std::string sql_snippet = "SELECT snippet(";
        sql_snippet += fts;
        sql_snippet += ", 1, '«', '»', '…', 24) FROM ";
        sql_snippet += fts;
        sql_snippet += " WHERE ";
        sql_snippet += fts;
        sql_snippet += " MATCH ? AND rowid = ?";
        Stmt sn(impl_->kb.db(), sql_snippet);
        sn.bind(1, match).bind(2, h.chunk_id);
        if (sn.step()) h.snippet = sn.text(0);
      }
      if (h.snippet.empty()) h.snippet = body.substr(0, 200);
    }
    if (o.with_text) h.text = std::move(body);
    hits.push_back(std::move(h));
  }
  return hits;
}

}  // namespace tq::rag
