#include "tasks/seo/keyword_clusters.h"

#include <libstemmer.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include "core/error.h"
#include "tasks/classifier/csv.h"
#include "tasks/classifier/text_normalize.h"

namespace tq::tasks {
namespace {

// Words that carry no topic in search queries (folded: no accents). Dropped unless a
// query has nothing else.
const std::set<std::string, std::less<>>& stop_words() {
  static const std::set<std::string, std::less<>> kWords = {
      // French
      "a", "au", "aux", "avec", "c", "ce", "ces", "cette", "comment", "d", "dans", "de", "des",
      "du", "elle", "en", "est", "et", "il", "j", "je", "l", "la", "le", "les", "leur", "ma", "mes",
      "mon", "n", "ne", "nos", "notre", "ou", "par", "pas", "pour", "qu", "que", "quel", "quelle",
      "quelles", "quels", "qui", "quoi", "s", "sa", "se", "ses", "son", "sur", "t", "un", "une",
      "vos", "votre", "y",
      // English
      "an", "and", "are", "at", "by", "can", "do", "does", "for", "from", "how", "i", "in", "is",
      "it", "my", "of", "on", "or", "the", "to", "what", "where", "which", "with", "you", "your"};
  return kWords;
}

using SparseVector = std::vector<std::pair<uint32_t, double>>;  // sorted by id, unit norm

double dot(const SparseVector& a, const SparseVector& b) {
  double s = 0;
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i].first == b[j].first) {
      s += a[i++].second * b[j++].second;
    } else if (a[i].first < b[j].first) {
      ++i;
    } else {
      ++j;
    }
  }
  return s;
}

SparseVector normalized(const std::map<uint32_t, double>& weights) {
  SparseVector v(weights.begin(), weights.end());
  double norm = 0;
  for (const auto& [id, w] : v) norm += w * w;
  norm = std::sqrt(norm);
  if (norm > 0)
    for (auto& [id, w] : v) w /= norm;
  return v;
}

class Stemmer {
 public:
  explicit Stemmer(const std::string& language)
      : stemmer_(sb_stemmer_new(language.c_str(), "UTF_8"), &sb_stemmer_delete) {
    if (!stemmer_) {
      std::string names;
      for (const char** l = sb_stemmer_list(); *l != nullptr; ++l)
        names += (names.empty() ? "" : ", ") + std::string(*l);
      throw InputError("no stemmer for language '" + language + "' (available: " + names + ")");
    }
  }
  std::string stem(const std::string& word) {
    const sb_symbol* s =
        sb_stemmer_stem(stemmer_.get(), reinterpret_cast<const sb_symbol*>(word.data()),
                        static_cast<int>(word.size()));
    if (s == nullptr) return word;  // out of memory in the stemmer: the word itself
    return {reinterpret_cast<const char*>(s),
            static_cast<size_t>(sb_stemmer_length(stemmer_.get()))};
  }

 private:
  std::unique_ptr<sb_stemmer, void (*)(sb_stemmer*)> stemmer_;
};

struct Query {
  KeywordRow row;
  std::vector<std::string> words;  // folded, without stop words
  std::vector<std::string> stems;  // parallel to words
};

// The cluster of each query: average linkage, merging the most similar pair while it is
// at least `threshold`. Each row caches its most similar other cluster, so a merge only
// rescans the rows whose best partner took part in it.
std::vector<size_t> average_linkage(std::vector<std::vector<float>> sim, double threshold) {
  const size_t n = sim.size();
  std::vector<size_t> size(n, 1);
  std::vector<bool> active(n, true);
  std::vector<size_t> owner(n);
  for (size_t i = 0; i < n; ++i) owner[i] = i;
  std::vector<size_t> best(n, n);
  auto rescan = [&](size_t i) {
    best[i] = n;
    for (size_t k = 0; k < n; ++k)
      if (k != i && active[k] && (best[i] == n || sim[i][k] > sim[i][best[i]])) best[i] = k;
  };
  for (size_t i = 0; i < n; ++i) rescan(i);
  for (;;) {
    size_t a = n;
    for (size_t i = 0; i < n; ++i)
      if (active[i] && best[i] != n && (a == n || sim[i][best[i]] > sim[a][best[a]])) a = i;
    if (a == n || sim[a][best[a]] < threshold) break;
    size_t b = best[a];
    if (b < a) std::swap(a, b);  // keep the lower index: results do not depend on scan order
    for (size_t k = 0; k < n; ++k) {
      if (!active[k] || k == a || k == b) continue;
      const float merged = static_cast<float>(
          (static_cast<double>(size[a]) * sim[a][k] + static_cast<double>(size[b]) * sim[b][k]) /
          static_cast<double>(size[a] + size[b]));
      sim[a][k] = merged;
      sim[k][a] = merged;
    }
    size[a] += size[b];
    active[b] = false;
    for (size_t i = 0; i < n; ++i)
      if (owner[i] == b) owner[i] = a;
    for (size_t k = 0; k < n; ++k) {
      if (!active[k]) continue;
      if (k == a || best[k] == a || best[k] == b) {
        rescan(k);
      } else if (sim[k][a] > sim[k][best[k]]) {
        best[k] = a;
      }
    }
  }
  return owner;
}

double parse_count(const std::string& field, std::string_view source, size_t line,
                   const std::string& column) {
  std::string s;
  for (size_t i = 0; i < field.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(field[i]);
    if (c == ' ' || c == '\t') continue;
    if (c == 0xC2 && i + 1 < field.size() && static_cast<unsigned char>(field[i + 1]) == 0xA0) {
      ++i;  // no-break space: a French thousands separator
      continue;
    }
    if (c == 0xE2 && field.compare(i, 3, "\xE2\x80\xAF") == 0) {
      i += 2;  // narrow no-break space
      continue;
    }
    s.push_back(static_cast<char>(c));
  }
  if (s.empty()) return 0;
  const bool has_dot = s.find('.') != std::string::npos;
  const size_t comma = s.find(',');
  if (comma != std::string::npos) {
    // "1,234" (thousands) or "12,5" (decimal comma): a comma before exactly three digits
    // at the end of a number without a dot is a thousands separator.
    const bool thousands = has_dot ||
                           (s.size() - comma == 4 && s.find(',', comma + 1) == std::string::npos) ||
                           std::count(s.begin(), s.end(), ',') > 1;
    if (thousands)
      s.erase(std::remove(s.begin(), s.end(), ','), s.end());
    else
      s[comma] = '.';
  }
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != s.size() || !std::isfinite(v) || v < 0)
    throw InputError(std::string(source) + ":" + std::to_string(line) + ": column '" + column +
                     "': '" + field + "' is not a count");
  return v;
}

bool name_matches(const std::string& header, std::initializer_list<const char*> names) {
  const std::string folded = fold_text(header);
  return std::any_of(names.begin(), names.end(), [&](const char* n) { return folded == n; });
}

}  // namespace

std::vector<KeywordRow> parse_keywords_csv(std::string_view data, std::string_view source) {
  const CsvTable table = parse_csv(data, source);
  int query_col = -1;
  int clicks_col = -1;
  int impressions_col = -1;
  for (size_t i = 0; i < table.header.size(); ++i) {
    const std::string& h = table.header[i];
    if (query_col < 0 &&
        name_matches(h, {"query", "queries", "top queries", "requete", "requetes",
                         "requetes les plus frequentes", "keyword", "keywords", "mot cle",
                         "mots cles", "search term", "search query", "terme", "term"}))
      query_col = static_cast<int>(i);
    else if (clicks_col < 0 && name_matches(h, {"clicks", "clics", "click", "clic"}))
      clicks_col = static_cast<int>(i);
    else if (impressions_col < 0 && name_matches(h, {"impressions", "impression"}))
      impressions_col = static_cast<int>(i);
  }
  if (query_col < 0) {
    // No known name: the first column whose values are not all numbers.
    for (size_t i = 0; i < table.header.size() && query_col < 0; ++i) {
      if (static_cast<int>(i) == clicks_col || static_cast<int>(i) == impressions_col) continue;
      const bool text = std::any_of(table.rows.begin(), table.rows.end(), [&](const CsvRow& r) {
        return r.fields[i].find_first_not_of("0123456789.,% \t") != std::string::npos;
      });
      if (text) query_col = static_cast<int>(i);
    }
  }
  if (query_col < 0)
    throw InputError(std::string(source) + ": no query column (columns: " + table.header_list() +
                     "); name it 'query' or 'requête'");
  std::vector<KeywordRow> rows;
  for (const auto& r : table.rows) {
    KeywordRow k;
    k.query = r.fields[static_cast<size_t>(query_col)];
    if (k.query.find_first_not_of(" \t") == std::string::npos) continue;
    if (clicks_col >= 0)
      k.clicks = parse_count(r.fields[static_cast<size_t>(clicks_col)], source, r.line,
                             table.header[static_cast<size_t>(clicks_col)]);
    if (impressions_col >= 0)
      k.impressions = parse_count(r.fields[static_cast<size_t>(impressions_col)], source, r.line,
                                  table.header[static_cast<size_t>(impressions_col)]);
    rows.push_back(std::move(k));
  }
  return rows;
}

std::vector<KeywordRow> read_keywords_csv(const std::string& path) {
  return parse_keywords_csv(read_text_file(path), path);
}

std::vector<KeywordCluster> cluster_keywords(const std::vector<KeywordRow>& keywords,
                                             const ClusterOptions& options) {
  constexpr size_t kMaxQueries = 5000;  // the similarity matrix is n² floats
  if (!(options.threshold >= 0 && options.threshold <= 1))
    throw InputError("the clustering threshold must be between 0 and 1");
  if (!(options.stem_weight >= 0 && options.stem_weight <= 1))
    throw InputError("the stem weight must be between 0 and 1");
  Stemmer stemmer(options.language);

  // One row per folded query: "Lampe chevet" and "lampe  chevet" are the same search.
  std::vector<Query> queries;
  std::unordered_map<std::string, size_t> by_folded;
  for (const auto& k : keywords) {
    const std::string folded = fold_text(k.query);
    if (folded.empty()) continue;
    auto [it, fresh] = by_folded.emplace(folded, queries.size());
    if (!fresh) {
      queries[it->second].row.clicks += k.clicks;
      queries[it->second].row.impressions += k.impressions;
      continue;
    }
    Query q;
    q.row = k;
    std::vector<std::string> words = fold_words(k.query);
    for (const auto& w : words)
      if (stop_words().count(w) == 0) q.words.push_back(w);
    if (q.words.empty()) q.words = words;
    for (const auto& w : q.words) q.stems.push_back(stemmer.stem(w));
    queries.push_back(std::move(q));
  }
  const size_t n = queries.size();
  if (n == 0) return {};
  if (n > kMaxQueries)
    throw InputError(std::to_string(n) + " distinct queries; clustering takes at most " +
                     std::to_string(kMaxQueries) + " (keep the ones with the most impressions)");

  // Stem vectors weighted by IDF over this keyword list; character trigrams of the
  // stop-word-free query framed by spaces.
  std::unordered_map<std::string, uint32_t> ids;
  auto id_of = [&](const std::string& s) {
    return ids.emplace(s, static_cast<uint32_t>(ids.size())).first->second;
  };
  std::unordered_map<uint32_t, size_t> df;
  for (const auto& q : queries) {
    std::set<uint32_t> seen;
    for (const auto& s : q.stems) seen.insert(id_of("s:" + s));
    for (uint32_t id : seen) ++df[id];
  }
  std::vector<SparseVector> stem_vec(n);
  std::vector<SparseVector> char_vec(n);
  for (size_t i = 0; i < n; ++i) {
    std::map<uint32_t, double> w;
    for (const auto& s : queries[i].stems) {
      const uint32_t id = id_of("s:" + s);
      w[id] = std::log(1.0 + static_cast<double>(n) / static_cast<double>(df[id]));
    }
    stem_vec[i] = normalized(w);
    std::string joined = " ";
    for (const auto& word : queries[i].words) joined += word + " ";
    const auto chars = utf8_chars(joined);
    std::map<uint32_t, double> c;
    for (size_t j = 0; j + 3 <= chars.size(); ++j) {
      std::string gram;
      for (size_t k = j; k < j + 3; ++k) gram += chars[k];
      c[id_of("c:" + gram)] += 1.0;
    }
    char_vec[i] = normalized(c);
  }
  std::vector<std::vector<float>> sim(n, std::vector<float>(n, 0.0F));
  for (size_t i = 0; i < n; ++i) {
    sim[i][i] = 1.0F;
    for (size_t j = i + 1; j < n; ++j) {
      const double s = options.stem_weight * dot(stem_vec[i], stem_vec[j]) +
                       (1.0 - options.stem_weight) * dot(char_vec[i], char_vec[j]);
      sim[i][j] = sim[j][i] = static_cast<float>(s);
    }
  }
  const std::vector<size_t> owner = average_linkage(sim, options.threshold);

  std::map<size_t, std::vector<size_t>> members;
  for (size_t i = 0; i < n; ++i) members[owner[i]].push_back(i);
  std::vector<KeywordCluster> clusters;
  for (const auto& [root, idx] : members) {
    KeywordCluster c;
    // Medoid: the query most similar to the others; the busier query on ties.
    size_t medoid = idx.front();
    double best = -1;
    for (size_t i : idx) {
      double total = 0;
      for (size_t j : idx) total += sim[i][j];
      const bool better =
          total > best + 1e-9 || (std::abs(total - best) <= 1e-9 &&
                                  queries[i].row.impressions > queries[medoid].row.impressions);
      if (better) {
        best = total;
        medoid = i;
      }
    }
    c.label = queries[medoid].row.query;
    // Top terms: stems shared by the most queries, shown as their most frequent word.
    std::map<std::string, std::pair<size_t, std::map<std::string, size_t>>> stems;
    for (size_t i : idx) {
      std::set<std::string> seen;
      for (size_t w = 0; w < queries[i].stems.size(); ++w) {
        auto& entry = stems[queries[i].stems[w]];
        if (seen.insert(queries[i].stems[w]).second) ++entry.first;
        ++entry.second[queries[i].words[w]];
      }
    }
    // Ties read in the label's word order ("lampe", "chevet"), then alphabetically.
    const auto& label_stems = queries[medoid].stems;
    auto label_position = [&](const std::string& stem) {
      return static_cast<size_t>(std::find(label_stems.begin(), label_stems.end(), stem) -
                                 label_stems.begin());
    };
    struct Term {
      size_t queries;
      size_t position;
      std::string word;
    };
    std::vector<Term> ranked;
    for (const auto& [stem, entry] : stems) {
      const auto& forms = entry.second;
      const auto form =
          std::max_element(forms.begin(), forms.end(),
                           [](const auto& x, const auto& y) { return x.second < y.second; });
      ranked.push_back({entry.first, label_position(stem), form->first});
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const Term& x, const Term& y) {
      return x.queries != y.queries ? x.queries > y.queries : x.position < y.position;
    });
    for (size_t t = 0; t < ranked.size() && t < options.top_terms; ++t)
      c.top_terms.push_back(ranked[t].word);
    for (size_t i : idx) {
      c.queries.push_back(queries[i].row);
      c.clicks += queries[i].row.clicks;
      c.impressions += queries[i].row.impressions;
    }
    std::stable_sort(
        c.queries.begin(), c.queries.end(),
        [](const KeywordRow& x, const KeywordRow& y) { return x.impressions > y.impressions; });
    clusters.push_back(std::move(c));
  }
  std::stable_sort(
      clusters.begin(), clusters.end(), [](const KeywordCluster& x, const KeywordCluster& y) {
        return x.impressions != y.impressions ? x.impressions > y.impressions : x.clicks > y.clicks;
      });
  return clusters;
}

}  // namespace tq::tasks
