// Office Open XML (ECMA-376): a ZIP archive (libzip) of XML parts (libxml2).
//  - DOCX: word/document.xml. Paragraphs (w:p) with their runs' text (w:t, w:tab, w:br);
//    a paragraph styled Heading N / Titre N (or with an outline level) opens a section
//    with its heading path; a table row (w:tr) becomes one paragraph, cells joined by " | ".
//  - XLSX: the sheets named in xl/workbook.xml (targets in its .rels), cells resolved
//    through xl/sharedStrings.xml; each sheet is a catalogue (catalog_from_rows).
// Archives are untrusted: every part is size-capped while it is inflated (zip bombs),
// the XML parser neither loads external entities nor expands entities, and element
// nesting is bounded.
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zip.h>

#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/error.h"
#include "rag/ingest/parsed.h"

namespace tq::rag {
namespace {

constexpr zip_uint64_t kMaxPartBytes = 64u << 20;  // one inflated XML part
constexpr int kMaxDepth = 200;
constexpr size_t kMaxColumns = 16384;  // Excel's limit (XFD)
constexpr size_t kMaxRows = 1u << 20;  // Excel's limit

class ZipArchive {
 public:
  explicit ZipArchive(std::string_view data) {
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(data.data(), data.size(), 0, &err);
    if (src == nullptr) {
      zip_error_fini(&err);
      throw InputError("not a ZIP archive (Office files are ZIP archives of XML parts)");
    }
    zip_ = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    if (zip_ == nullptr) {
      zip_source_free(src);
      std::string why = zip_error_strerror(&err);
      zip_error_fini(&err);
      throw InputError("not a readable ZIP archive: " + why);
    }
    zip_error_fini(&err);
  }
  ~ZipArchive() { zip_discard(zip_); }
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  // The inflated part, or nullopt when the archive has no such entry.
  std::optional<std::string> read(const std::string& name) const {
    zip_int64_t index = zip_name_locate(zip_, name.c_str(), 0);
    if (index < 0) return std::nullopt;
    zip_file_t* f = zip_fopen_index(zip_, static_cast<zip_uint64_t>(index), 0);
    if (f == nullptr) {
      throw InputError("part " + name + " cannot be read: " + zip_strerror(zip_));
    }
    std::string out;
    char buf[65536];
    for (;;) {
      zip_int64_t n = zip_fread(f, buf, sizeof buf);
      if (n < 0) {
        std::string why = zip_file_strerror(f);
        zip_fclose(f);
        throw InputError(std::string("part ").append(name).append(" is corrupt: ").append(why));
      }
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
      if (out.size() > kMaxPartBytes) {
        zip_fclose(f);
        throw InputError("part " + name + " inflates to more than " +
                         std::to_string(kMaxPartBytes >> 20) + " MiB");
      }
    }
    zip_fclose(f);
    return out;
  }

 private:
  zip_t* zip_ = nullptr;
};

struct XmlDoc {
  xmlDoc* doc = nullptr;
  XmlDoc(const std::string& xml, const std::string& part) {
    if (xml.size() > static_cast<size_t>(INT32_MAX)) throw InputError(part + " is too large");
    doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), part.c_str(), nullptr,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == nullptr || xmlDocGetRootElement(doc) == nullptr) {
      if (doc != nullptr) xmlFreeDoc(doc);
      throw InputError(part + " is not well-formed XML");
    }
  }
  ~XmlDoc() { xmlFreeDoc(doc); }
  XmlDoc(const XmlDoc&) = delete;
  XmlDoc& operator=(const XmlDoc&) = delete;
  xmlNode* root() const { return xmlDocGetRootElement(doc); }
};

bool is(const xmlNode* n, const char* local) {
  return n->type == XML_ELEMENT_NODE && n->name != nullptr &&
         std::strcmp(reinterpret_cast<const char*>(n->name), local) == 0;
}

std::string attr(xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  if (v == nullptr) return {};
  std::string out = reinterpret_cast<const char*>(v);
  xmlFree(v);
  return out;
}

std::string content(xmlNode* n) {
  xmlChar* c = xmlNodeGetContent(n);
  if (c == nullptr) return {};
  std::string out = reinterpret_cast<const char*>(c);
  xmlFree(c);
  return out;
}

// ---- DOCX ----------------------------------------------------------------------------

// Heading level of a paragraph style id ("Heading2", "Titre2", "heading 2"), 0 if none;
// "Title"/"Titre" is level 1.
int heading_level(const std::string& style) {
  std::string s;
  for (char c : style) {
    if (c != ' ') s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (s == "title" || s == "titre") return 1;
  for (const char* prefix : {"heading", "titre"}) {
    const size_t n = std::strlen(prefix);
    if (s.size() == n + 1 && s.compare(0, n, prefix) == 0 && s[n] >= '1' && s[n] <= '9') {
      return s[n] - '0';
    }
  }
  return 0;
}

struct DocxWalker {
  ParsedDocument doc;
  Section current;
  std::vector<std::string> path;  // heading texts by level

  void flush() {
    if (!current.text.empty()) doc.sections.push_back(current);
    current.text.clear();
  }

  void run_text(xmlNode* n, std::string& out, int depth) {
    if (depth > kMaxDepth) throw InputError("word/document.xml nests too deeply");
    for (xmlNode* c = n->children; c != nullptr; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      if (is(c, "t")) {
        out += content(c);
      } else if (is(c, "tab")) {
        out += ' ';
      } else if (is(c, "br") || is(c, "cr")) {
        out += '\n';
      } else if (is(c, "pPr") || is(c, "rPr") || is(c, "instrText") || is(c, "delText") ||
                 is(c, "del")) {
        continue;  // properties, field codes and deleted text are not shown
      } else {
        run_text(c, out, depth + 1);
      }
    }
  }

  void paragraph(xmlNode* p) {
    int level = 0;
    for (xmlNode* c = p->children; c != nullptr; c = c->next) {
      if (!is(c, "pPr")) continue;
      for (xmlNode* pr = c->children; pr != nullptr; pr = pr->next) {
        if (is(pr, "pStyle")) level = std::max(level, heading_level(attr(pr, "val")));
        if (is(pr, "outlineLvl") && level == 0) {
          const std::string v = attr(pr, "val");
          if (v.size() == 1 && v[0] >= '0' && v[0] <= '8') level = v[0] - '0' + 1;
        }
      }
    }
    std::string text;
    run_text(p, text, 0);
    if (text.find_first_not_of(" \t\n") == std::string::npos) return;
    if (level > 0) {
      flush();
      path.resize(static_cast<size_t>(level - 1));
      path.push_back(text);
      if (doc.title.empty() && level == 1) doc.title = text;
      current.heading.clear();
      for (const auto& h : path) {
        if (h.empty()) continue;
        current.heading += (current.heading.empty() ? "" : " > ") + h;
      }
      return;
    }
    current.text += (current.text.empty() ? "" : "\n\n") + text;
  }

  void table(xmlNode* tbl, int depth) {
    for (xmlNode* tr = tbl->children; tr != nullptr; tr = tr->next) {
      if (!is(tr, "tr")) continue;
      std::string row;
      for (xmlNode* tc = tr->children; tc != nullptr; tc = tc->next) {
        if (!is(tc, "tc")) continue;
        std::string cell;
        run_text(tc, cell, depth + 1);
        for (auto& ch : cell) {
          if (ch == '\n') ch = ' ';
        }
        row += (row.empty() ? "" : " | ") + cell;
      }
      if (row.find_first_not_of(" |") != std::string::npos) {
        current.text += (current.text.empty() ? "" : "\n\n") + row;
      }
    }
  }

  void walk(xmlNode* n, int depth) {
    if (depth > kMaxDepth) throw InputError("word/document.xml nests too deeply");
    for (xmlNode* c = n->children; c != nullptr; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      if (is(c, "p")) {
        paragraph(c);
      } else if (is(c, "tbl")) {
        table(c, depth + 1);
      } else if (!is(c, "sectPr")) {
        walk(c, depth + 1);
      }
    }
  }
};

// ---- XLSX ----------------------------------------------------------------------------

// "BC12" → column 54 (0-based); nullopt when not a cell reference.
std::optional<size_t> column_of(const std::string& ref) {
  size_t col = 0;
  size_t i = 0;
  for (; i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z'; ++i) {
    col = col * 26 + static_cast<size_t>(ref[i] - 'A' + 1);
    if (col > kMaxColumns) return std::nullopt;
  }
  if (i == 0) return std::nullopt;
  return col - 1;
}

std::string inline_text(xmlNode* si) {
  std::string out;
  for (xmlNode* c = si->children; c != nullptr; c = c->next) {
    if (is(c, "t")) {
      out += content(c);
    } else if (is(c, "r")) {
      for (xmlNode* t = c->children; t != nullptr; t = t->next) {
        if (is(t, "t")) out += content(t);
      }
    }  // rPh (phonetic guides) and the rest are not cell text
  }
  return out;
}

std::vector<std::string> shared_strings(const ZipArchive& zip) {
  std::vector<std::string> out;
  auto xml = zip.read("xl/sharedStrings.xml");
  if (!xml) return out;
  XmlDoc doc(*xml, "xl/sharedStrings.xml");
  for (xmlNode* si = doc.root()->children; si != nullptr; si = si->next) {
    if (is(si, "si")) out.push_back(sanitize_utf8(inline_text(si)));
  }
  return out;
}

std::vector<std::vector<std::string>> sheet_rows(const std::string& xml, const std::string& part,
                                                 const std::vector<std::string>& shared) {
  XmlDoc doc(xml, part);
  std::vector<std::vector<std::string>> rows;
  for (xmlNode* top = doc.root()->children; top != nullptr; top = top->next) {
    if (!is(top, "sheetData")) continue;
    for (xmlNode* row = top->children; row != nullptr; row = row->next) {
      if (!is(row, "row")) continue;
      if (rows.size() >= kMaxRows) throw InputError(part + " has more than 1048576 rows");
      std::vector<std::string> cells;
      size_t next_col = 0;
      for (xmlNode* c = row->children; c != nullptr; c = c->next) {
        if (!is(c, "c")) continue;
        size_t col = next_col;
        if (auto ref = attr(c, "r"); !ref.empty()) {
          auto parsed = column_of(ref);
          if (!parsed) {
            throw InputError(
                std::string(part).append(": bad cell reference '").append(ref).append("'"));
          }
          col = *parsed;
        }
        if (col >= kMaxColumns) throw InputError(part + ": a cell lies beyond column XFD");
        next_col = col + 1;
        const std::string type = attr(c, "t");
        std::string value;
        for (xmlNode* v = c->children; v != nullptr; v = v->next) {
          if (is(v, "v")) value = content(v);
          if (is(v, "is")) value = inline_text(v);
        }
        if (type == "s") {
          char* end = nullptr;
          const unsigned long i = std::strtoul(value.c_str(), &end, 10);
          if (value.empty() || *end != 0 || i >= shared.size()) {
            throw InputError(std::string(part)
                                 .append(": cell ")
                                 .append(attr(c, "r"))
                                 .append(" names shared string '")
                                 .append(value)
                                 .append("' of ")
                                 .append(std::to_string(shared.size())));
          }
          value = shared[i];
        } else if (type == "b") {
          value = value == "1" ? "TRUE" : "FALSE";
        }
        if (cells.size() <= col) cells.resize(col + 1);
        cells[col] = sanitize_utf8(value);
      }
      rows.push_back(std::move(cells));
    }
  }
  return rows;
}

}  // namespace

ParsedDocument parse_docx(std::string_view data) {
  ZipArchive zip(data);
  auto xml = zip.read("word/document.xml");
  if (!xml) throw InputError("no word/document.xml: not a Word (DOCX) document");
  XmlDoc doc(*xml, "word/document.xml");
  DocxWalker w;
  w.walk(doc.root(), 0);
  w.flush();
  for (auto& s : w.doc.sections) s.text = sanitize_utf8(s.text);
  w.doc.title = sanitize_utf8(w.doc.title);
  w.doc.metadata["format"] = "docx";
  return w.doc;
}

ParsedDocument parse_xlsx(std::string_view data, const CatalogMapping& mapping) {
  ZipArchive zip(data);
  auto workbook = zip.read("xl/workbook.xml");
  if (!workbook) throw InputError("no xl/workbook.xml: not an Excel (XLSX) workbook");
  std::map<std::string, std::string> targets;  // relationship id → part
  if (auto rels = zip.read("xl/_rels/workbook.xml.rels")) {
    XmlDoc doc(*rels, "xl/_rels/workbook.xml.rels");
    for (xmlNode* r = doc.root()->children; r != nullptr; r = r->next) {
      if (!is(r, "Relationship")) continue;
      std::string target = attr(r, "Target");
      target = target.rfind('/', 0) == 0 ? target.substr(1) : std::string("xl/").append(target);
      targets[attr(r, "Id")] = target;
    }
  }
  const auto shared = shared_strings(zip);
  XmlDoc book(*workbook, "xl/workbook.xml");
  ParsedDocument out;
  size_t sheet_no = 0;
  for (xmlNode* top = book.root()->children; top != nullptr; top = top->next) {
    if (!is(top, "sheets")) continue;
    for (xmlNode* sheet = top->children; sheet != nullptr; sheet = sheet->next) {
      if (!is(sheet, "sheet")) continue;
      ++sheet_no;
      const std::string name = sanitize_utf8(attr(sheet, "name"));
      auto t = targets.find(attr(sheet, "id"));
      const std::string part = t != targets.end()
                                   ? t->second
                                   : "xl/worksheets/sheet" + std::to_string(sheet_no) + ".xml";
      auto xml = zip.read(part);
      if (!xml) {
        throw InputError(
            std::string("sheet '").append(name).append("' names a missing part ").append(part));
      }
      auto rows = sheet_rows(*xml, part, shared);
      while (!rows.empty() && std::all_of(rows.front().begin(), rows.front().end(),
                                          [](const std::string& v) { return v.empty(); })) {
        rows.erase(rows.begin());
      }
      if (rows.size() < 2) continue;  // a header alone, or an empty sheet
      ParsedDocument sheet_doc = catalog_from_rows(rows, mapping, name + " row ");
      for (auto& r : sheet_doc.records) {
        r.fields["sheet"] = name;
        out.records.push_back(std::move(r));
      }
    }
  }
  out.metadata["format"] = "xlsx";
  out.metadata["items"] = out.records.size();
  return out;
}

}  // namespace tq::rag
