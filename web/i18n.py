"""Every interface string, one dict per language, and how a request picks its language."""

from __future__ import annotations

from typing import Any

from index.vocab import LANGUAGE_TABLE, ORGAN_NAMES_ZH

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "site_name": "unsearch",
        "tagline": "Full-text search of United Nations documents",
        "skip_to_content": "Skip to content",
        "search_label": "Search UN documents",
        "suggestions_label": "Suggestions",
        "search_placeholder": "Words, \"a phrase\" or S/2020/405",
        "search_button": "Search",
        "all_languages": "All languages",
        "language_filter_label": "Language of the documents",
        "switch_ui": "中文",
        "switch_ui_label": "切换到中文界面",
        "home_hint": "Press / to search from anywhere.",
        "examples": "Try",
        "syntax_title": "Search tips",
        "syntax_phrase": "\"quoted words\" find an exact phrase",
        "syntax_not": "-word leaves out documents with that word; OR finds either word",
        "syntax_fields": "lang:zh, organ:\"Security Council\", year:2015, symbol:S/2020/* narrow the search",
        "index_stats": "{documents} documents, {paragraphs} paragraphs in {languages} languages",
        "results_title": "{q} – unsearch",
        "results_count_one": "1 result",
        "results_count_other": "{n} results",
        "results_count_para_one": "1 matching paragraph",
        "results_count_para_other": "{n} matching paragraphs",
        "took": "in {seconds} s",
        "did_you_mean": "Did you mean:",
        "also_searched": "Also searched:",
        "results_heading": "Results",
        "sort_label": "Sort",
        "sort_relevance": "Relevance",
        "sort_newest": "Newest",
        "sort_oldest": "Oldest",
        "group_label": "Show",
        "group_doc": "One per document",
        "group_para": "Every paragraph",
        "filters_heading": "Filters",
        "facet_lang": "Language",
        "facet_organ": "Organ",
        "facet_year": "Year",
        "facet_more": "More",
        "remove_filter": "Remove filter: {name}",
        "remove_filter_hint": "(selected: remove this filter)",
        "clear_filters": "Clear all filters",
        "year_range": "Years",
        "year_from": "From",
        "year_to": "To",
        "apply": "Apply",
        "paragraph_short": "¶ {n}",
        "more_paragraphs_one": "+1 more paragraph in this document",
        "more_paragraphs_other": "+{n} more paragraphs in this document",
        "pagination": "Pages",
        "previous": "Previous",
        "next": "Next",
        "page_n": "Page {n}",
        "past_last_page": "This page is past the last one.",
        "first_page": "Go to the first page",
        "no_results_title": "No documents match {q}",
        "no_results_help": "Some things to try:",
        "no_results_script": "Check the spelling and the script: traditional and simplified Chinese "
                             "are searched alike, but a wrong character is not.",
        "no_results_filter": "Remove a filter:",
        "no_results_fewer": "Use fewer or more general words, or drop the quotes around a phrase.",
        "no_results_lang": "Search in all languages: a document is found only in the language of its words.",
        "untitled": "Untitled document",
        "back_to_results": "Back to the results",
        "doc_symbol": "Symbol",
        "doc_organ": "Organ",
        "doc_date": "Date",
        "doc_lang": "Language",
        "doc_original_lang": "Original language",
        "doc_country": "Country",
        "doc_speaker": "Speaker",
        "doc_paragraphs": "Paragraphs",
        "doc_versions": "Other languages",
        "doc_matches_one": "1 paragraph matches {q}:",
        "doc_matches_other": "{n} paragraphs match {q}:",
        "doc_no_matches": "No paragraph matches {q}.",
        "doc_text": "Text",
        "paragraph_label": "Paragraph {n}",
        "bad_request_title": "That search cannot be run",
        "not_found_title": "Not found",
        "not_found_text": "There is no page or document at this address.",
        "unavailable_title": "Search is unavailable",
        "unavailable_text": "The search index is not available right now. Please try again in a "
                            "few minutes.",
        "unavailable_operator": "Operators: build the index with `unsearch index build` and check the "
                                "server log.",
        "timeout_title": "That search took too long",
        "timeout_text": "It was stopped after its time limit. Add words, a quoted phrase or a filter "
                        "to narrow it, or try again in a moment.",
        "overloaded_title": "The server is busy",
        "overloaded_text": "Too many long searches are running right now. Please try again in a "
                           "moment.",
        "error_title": "Something went wrong",
        "error_text": "The server could not answer this request. It has been logged; please try again.",
        "go_home": "Go to the search page",
        "footer_api": "JSON API",
        "footer_about": "Searches United Nations documents in Chinese, English, French, Spanish, "
                        "Russian and Arabic",
    },
    "zh": {
        "site_name": "unsearch",
        "tagline": "联合国文件全文检索",
        "skip_to_content": "跳到正文",
        "search_label": "检索联合国文件",
        "suggestions_label": "检索建议",
        "search_placeholder": "词语、\"短语\"或文号",
        "search_button": "检索",
        "all_languages": "全部语言",
        "language_filter_label": "文件语言",
        "switch_ui": "English",
        "switch_ui_label": "Switch to the English interface",
        "home_hint": "在任何页面按 / 键即可开始检索。",
        "examples": "示例",
        "syntax_title": "检索技巧",
        "syntax_phrase": "用引号 \"…\" 检索完整短语",
        "syntax_not": "-词语 排除含该词的文件；OR 表示任一词语",
        "syntax_fields": "lang:zh、organ:\"Security Council\"、year:2015、symbol:S/2020/* 可缩小范围",
        "index_stats": "共 {documents} 份文件、{paragraphs} 个段落，{languages} 种语言",
        "results_title": "{q} – unsearch",
        "results_count_one": "1 个结果",
        "results_count_other": "{n} 个结果",
        "results_count_para_one": "1 个匹配段落",
        "results_count_para_other": "{n} 个匹配段落",
        "took": "用时 {seconds} 秒",
        "did_you_mean": "您是不是要找：",
        "also_searched": "同时检索了：",
        "results_heading": "检索结果",
        "sort_label": "排序",
        "sort_relevance": "相关度",
        "sort_newest": "最新",
        "sort_oldest": "最早",
        "group_label": "显示",
        "group_doc": "每份文件一条",
        "group_para": "所有段落",
        "filters_heading": "筛选",
        "facet_lang": "语言",
        "facet_organ": "机构",
        "facet_year": "年份",
        "facet_more": "更多",
        "remove_filter": "取消筛选：{name}",
        "remove_filter_hint": "（已选：取消此筛选）",
        "clear_filters": "清除全部筛选",
        "year_range": "年份范围",
        "year_from": "自",
        "year_to": "至",
        "apply": "应用",
        "paragraph_short": "第 {n} 段",
        "more_paragraphs_one": "本文件另有 1 个匹配段落",
        "more_paragraphs_other": "本文件另有 {n} 个匹配段落",
        "pagination": "分页",
        "previous": "上一页",
        "next": "下一页",
        "page_n": "第 {n} 页",
        "past_last_page": "此页已超出最后一页。",
        "first_page": "回到第一页",
        "no_results_title": "没有与 {q} 匹配的文件",
        "no_results_help": "可以试试：",
        "no_results_script": "检查拼写和字形：繁体与简体按同一方式检索，但错字无法匹配。",
        "no_results_filter": "取消一个筛选条件：",
        "no_results_fewer": "减少检索词或使用更宽泛的词语，或去掉短语两边的引号。",
        "no_results_lang": "在全部语言中检索：文件只能用其自身语言的词语检索到。",
        "untitled": "无标题文件",
        "back_to_results": "返回检索结果",
        "doc_symbol": "文号",
        "doc_organ": "机构",
        "doc_date": "日期",
        "doc_lang": "语言",
        "doc_original_lang": "原文语言",
        "doc_country": "国家",
        "doc_speaker": "发言人",
        "doc_paragraphs": "段落数",
        "doc_versions": "其他语文版本",
        "doc_matches_one": "有 1 个段落与 {q} 匹配：",
        "doc_matches_other": "有 {n} 个段落与 {q} 匹配：",
        "doc_no_matches": "没有段落与 {q} 匹配。",
        "doc_text": "正文",
        "paragraph_label": "第 {n} 段",
        "bad_request_title": "无法执行该检索",
        "not_found_title": "未找到",
        "not_found_text": "此地址没有页面或文件。",
        "unavailable_title": "检索暂不可用",
        "unavailable_text": "检索索引目前不可用，请几分钟后再试。",
        "unavailable_operator": "管理员：请用 `unsearch index build` 建立索引，并查看服务器日志。",
        "timeout_title": "该检索耗时过长",
        "timeout_text": "检索超过时间限制，已停止。请增加检索词、使用带引号的短语或筛选条件缩小范围，"
                        "或稍后再试。",
        "overloaded_title": "服务器繁忙",
        "overloaded_text": "当前正在进行的耗时检索过多，请稍后再试。",
        "error_title": "出错了",
        "error_text": "服务器无法响应此请求，错误已记录，请稍后再试。",
        "go_home": "前往检索页",
        "footer_api": "JSON API",
        "footer_about": "检索联合国中文、英文、法文、西班牙文、俄文和阿拉伯文文件",
    },
}

#: Document languages, named in each interface language.
LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    "en": {lang.code: lang.en for lang in LANGUAGE_TABLE},
    "zh": {lang.code: lang.zh for lang in LANGUAGE_TABLE},
}

#: Each language in its own words, for the links to a document's other versions.
NATIVE_NAMES = {lang.code: lang.native for lang in LANGUAGE_TABLE}

RTL_LANGS = frozenset({"ar"})


class Translator:
    """``t("key", n=3)``: the string for the interface language, formatted."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in STRINGS else "en"
        self.strings = STRINGS[self.lang]

    def __call__(self, key: str, **values: Any) -> str:
        text = self.strings.get(key) or STRINGS["en"][key]
        return text.format(**values) if values else text

    def plural(self, key: str, n: int, **values: Any) -> str:
        """``key_one`` for 1, else ``key_other``, with ``{n}`` formatted with separators."""
        return self(f"{key}_one" if n == 1 else f"{key}_other", n=f"{n:,}", **values)

    def language(self, code: str | None) -> str:
        if not code:
            return ""
        return LANGUAGE_NAMES[self.lang].get(code, code)

    def organ(self, name: str | None) -> str:
        if not name:
            return ""
        return ORGAN_NAMES_ZH.get(name, name) if self.lang == "zh" else name


# The trends page, downloads and citations keep their strings in their own module.
from .strings_trends import STRINGS_TRENDS  # noqa: E402

for _lang, _strings in STRINGS_TRENDS.items():
    STRINGS[_lang].update(_strings)
