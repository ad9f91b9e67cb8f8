// HTML: the visible text only (libxml2's forgiving HTML parser decodes the entities);
// script, style and the like are skipped; block elements end paragraphs and h1–h6 open
// sections with their heading path.
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <cstring>
#include <string>

#include "core/error.h"
#include "rag/ingest/parsed.h"

namespace tq::rag {
namespace {

bool is_hidden(const char* name) {
  static const char* const kHidden[] = {"script", "style",  "noscript", "template", "head",
                                        "svg",    "iframe", "object",   "canvas"};
  for (const char* h : kHidden) {
    if (std::strcmp(name, h) == 0) return true;
  }
  return false;
}

bool is_block(const char* name) {
  static const char* const kBlocks[] = {
      "p",       "div",     "br",     "li",     "ul",         "ol",     "tr",         "table",
      "section", "article", "header", "footer", "blockquote", "pre",    "dd",         "dt",
      "dl",      "h1",      "h2",     "h3",     "h4",         "h5",     "h6",         "td",
      "th",      "hr",      "main",   "nav",    "aside",      "figure", "figcaption", "form"};
  for (const char* b : kBlocks) {
    if (std::strcmp(name, b) == 0) return true;
  }
  return false;
}

struct Walker {
  ParsedDocument doc;
  Section current;
  std::vector<std::string> path;

  void text(const char* t) {
    // Collapse runs of white space as a browser does.
    for (const char* p = t; *p != 0; ++p) {
      bool space = *p == ' ' || *p == '\n' || *p == '\t' || *p == '\r';
      if (space) {
        if (!current.text.empty() && current.text.back() != ' ' && current.text.back() != '\n') {
          current.text += ' ';
        }
      } else {
        current.text += *p;
      }
    }
  }
  void paragraph_break() {
    while (!current.text.empty() && current.text.back() == ' ') current.text.pop_back();
    if (!current.text.empty() && current.text.size() >= 2 &&
        current.text.compare(current.text.size() - 2, 2, "\n\n") == 0) {
      return;
    }
    if (!current.text.empty()) current.text += "\n\n";
  }
  void flush() {
    bool blank = current.text.find_first_not_of(" \n") == std::string::npos;
    if (!blank) doc.sections.push_back(current);
    current.text.clear();
  }
  static std::string node_text(xmlNode* n) {
    xmlChar* c = xmlNodeGetContent(n);
    std::string s = c != nullptr ? reinterpret_cast<const char*>(c) : "";
    xmlFree(c);
    std::string out;
    for (char ch : s) {
      bool space = ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r';
      if (space) {
        if (!out.empty() && out.back() != ' ') out += ' ';
      } else {
        out += ch;
      }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
  }
  void walk(xmlNode* n, int depth) {
    if (depth > 200) return;  // pathological nesting: deeper text is dropped
    for (; n != nullptr; n = n->next) {
      if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
        if (n->content != nullptr) text(reinterpret_cast<const char*>(n->content));
        continue;
      }
      if (n->type != XML_ELEMENT_NODE || n->name == nullptr) continue;
      const char* name = reinterpret_cast<const char*>(n->name);
      if (std::strcmp(name, "title") == 0 && doc.title.empty()) {
        doc.title = node_text(n);
        continue;
      }
      if (std::strcmp(name, "head") == 0) {
        for (xmlNode* c = n->children; c != nullptr; c = c->next) {
          if (c->type == XML_ELEMENT_NODE && doc.title.empty() &&
              std::strcmp(reinterpret_cast<const char*>(c->name), "title") == 0) {
            doc.title = node_text(c);
          }
        }
        continue;
      }
      if (is_hidden(name)) continue;
      if (name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && name[2] == 0) {
        flush();
        auto level = static_cast<size_t>(name[1] - '0');
        path.resize(level - 1);
        path.push_back(node_text(n));
        current.heading.clear();
        for (const auto& h : path) {
          if (!h.empty()) current.heading += (current.heading.empty() ? "" : " > ") + h;
        }
        if (doc.title.empty()) doc.title = path.back();
        continue;
      }
      bool block = is_block(name);
      if (block) paragraph_break();
      walk(n->children, depth + 1);
      if (block) paragraph_break();
    }
  }
};

htmlDocPtr read_html(std::string_view data) {
  if (data.size() > static_cast<size_t>(INT32_MAX)) throw InputError("HTML file too large");
  return htmlReadMemory(data.data(), static_cast<int>(data.size()), nullptr, nullptr,
                        HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                            HTML_PARSE_NONET | HTML_PARSE_COMPACT);
}

}  // namespace

ParsedDocument parse_html(std::string_view data) {
  htmlDocPtr html = read_html(data);
  if (html == nullptr) throw InputError("not parseable as HTML");
  Walker w;
  w.walk(xmlDocGetRootElement(html), 0);
  w.flush();
  xmlFreeDoc(html);
  for (auto& s : w.doc.sections) s.text = sanitize_utf8(s.text);
  w.doc.title = sanitize_utf8(w.doc.title);
  return w.doc;
}

std::string html_to_text(std::string_view html) {
  if (html.find('<') == std::string_view::npos && html.find('&') == std::string_view::npos) {
    return std::string(html);
  }
  std::string wrapped = "<html><body>" + std::string(html) + "</body></html>";
  htmlDocPtr doc = htmlReadMemory(
      wrapped.data(), static_cast<int>(wrapped.size()), nullptr, "UTF-8",
      HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
  if (doc == nullptr) return std::string(html);
  Walker w;
  w.walk(xmlDocGetRootElement(doc), 0);
  w.flush();
  xmlFreeDoc(doc);
  std::string out;
  for (const auto& s : w.doc.sections) {
    if (!s.heading.empty()) out += s.heading + "\n\n";
    out += s.text;
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return sanitize_utf8(out);
}

}  // namespace tq::rag
