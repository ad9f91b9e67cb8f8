#include "rag/retriever.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <unordered_map>

#include "core/error.h"
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

std::string join_weights(const std::vector<QueryTerm>& terms) {
  std::ostringstream out;
  out.precision(6);
  for (size_t i = 0; i < terms.size(); ++i) out << (i ? "," : "") << terms[i].weight;
  return out.str();
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

  std::vector<std::pair<int64_t, double>> bm25(const Collection& c,
                                               const std::vector<QueryTerm>& terms,
                                               const SearchOptions& o, size_t depth) {
    if (terms.empty() || depth == 0) return {};
    std::string fts = fts_table_name(c.id);
    std::string match;
    for (const auto& t : terms) match += (match.empty() ? "" : " OR ") + quote_fts(t.surface);
    std::string sql =
        "SELECT rowid, tq_bm25(" + fts + ", ?, ?, ?, ?) AS s FROM " + fts + " WHERE " + fts +
        " MATCH ? AND EXISTS (SELECT 1 FROM collections WHERE id = " + std::to_string(c.id) +
        " AND label IN (" + placeholders(o.labels.size()) + "))";
    for (size_t i = 0; i < o.field_filters.size(); ++i) {
      sql += " AND rowid IN (SELECT id FROM chunks WHERE json_extract(fields, ?) = ?)";
    }
    sql += " ORDER BY s DESC, rowid LIMIT ?";
    Stmt s(kb.db(), sql);
    const Bm25Params p = o.bm25 ? *o.bm25 : default_bm25(c.analysis.language);
    std::ostringstream colw;
    colw << p.title_weight << "," << p.body_weight;
    s.bind(1, p.k1).bind(2, p.b).bind(3, colw.str()).bind(4, join_weights(terms));
    s.bind(5, match);
    int i = 6;
    for (const auto& l : o.labels) s.bind(i++, l);
    for (const auto& [key, value] : o.field_filters) {
      s.bind(i, "$." + quote_fts(key));
      s.bind(i + 1, value);
      i += 2;
    }
    s.bind(i++, static_cast<int64_t>(depth));
    std::vector<std::pair<int64_t, double>> out;
    while (s.step()) out.emplace_back(s.int64(0), s.real(1));
    return out;
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
    auto dense = impl_->dense->search(vecs[0], depth, [](int64_t) { return true; });
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
      "SELECT k.id, k.document_id, c.name, d.source, k.location, k.title, k.body, k.fields, c.id"
      " FROM chunks k JOIN documents d ON d.id = k.document_id"
      " JOIN collections c ON c.id = k.collection_id WHERE k.id = ? AND c.label IN (" +
      placeholders(o.labels.size()) + ")";
  if (o.labels.empty()) return {};
  Stmt s(impl_->kb.db(), sql);
  std::vector<Hit> hits;
  for (const auto& [id, score] : ranked) {
    if (hits.size() >= o.k) break;
    s.bind(1, id);
    int i = 2;
    for (const auto& l : o.labels) s.bind(i++, l);
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
