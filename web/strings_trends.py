"""Interface strings of the trends page, the downloads, country names and citations
(merged into :data:`web.i18n.STRINGS`)."""

from __future__ import annotations

STRINGS_TRENDS: dict[str, dict[str, str]] = {
    "en": {
        "trends_title": "Trends over the years",
        "trends_intro": "How often a topic comes up, year by year: the documents that match each query, "
                        "per 1,000 documents of that year. Up to five queries, any search.",
        "trends_queries": "Queries",
        "trends_query_n": "Query {n}",
        "trends_country_hint": "China, 中国 or CHN",
        "trends_button": "Show the trend",
        "trends_measure": "Show",
        "measure_per_1000_documents": "Documents per 1,000",
        "measure_per_10000_paragraphs": "Paragraphs per 10,000",
        "measure_documents": "Documents",
        "measure_paragraphs": "Paragraphs",
        "trends_chart_title": "{queries}: {measure}, by year",
        "trends_point": "{q} – {year}: {documents} of {documents_in_year} documents ({per_1000} per 1,000); "
                        "{paragraphs} paragraphs ({per_10000} per 10,000). Click to see them.",
        "trends_caption": "Hover over a point for the figures; click it for that year's documents. Download:",
        "trends_total_one": "1 document",
        "trends_total_other": "{n} documents",
        "trends_paragraphs_one": "1 paragraph",
        "trends_paragraphs_other": "{n} paragraphs",
        "trends_table_caption": "Matching documents by year (per 1,000 documents of the year)",
        "trends_docs_in_year": "Documents that year",
        "trends_note": "Shares count the documents of each year under the language, country and year "
                       "filters above; filters typed in a query (lang:en) narrow only its matches.",
        "trend_link": "Trend over the years",
        "download_csv": "CSV",
        "download_json": "JSON",
        "download_jsonl": "JSON Lines",
        "download_label": "Download",
        "facet_country": "Country",
        "cite_button": "Copy citation",
        "cite_copied": "Copied",
        "cite_link": "Link to paragraph {n}",
        "cite_paragraph": "para. {n}",
    },
    "zh": {
        "trends_title": "历年趋势",
        "trends_intro": "某一议题逐年出现的频度：每个检索式匹配的文件数，以及占当年每千份文件的比例。"
                        "最多五个检索式，可用任何检索语法。",
        "trends_queries": "检索式",
        "trends_query_n": "检索式 {n}",
        "trends_country_hint": "中国、China 或 CHN",
        "trends_button": "显示趋势",
        "trends_measure": "显示",
        "measure_per_1000_documents": "每千份文件",
        "measure_per_10000_paragraphs": "每万个段落",
        "measure_documents": "文件数",
        "measure_paragraphs": "段落数",
        "trends_chart_title": "{queries}：{measure}（按年份）",
        "trends_point": "{q} – {year}年：{documents_in_year} 份文件中有 {documents} 份（每千份 {per_1000}）；"
                        "{paragraphs} 个段落（每万个 {per_10000}）。点击查看。",
        "trends_caption": "鼠标悬停在点上可看数字，点击可看当年的文件。下载：",
        "trends_total_one": "1 份文件",
        "trends_total_other": "{n} 份文件",
        "trends_paragraphs_one": "1 个段落",
        "trends_paragraphs_other": "{n} 个段落",
        "trends_table_caption": "各年匹配文件数（占当年每千份文件的比例）",
        "trends_docs_in_year": "当年文件数",
        "trends_note": "比例以上方语言、国家和年份筛选条件下当年的文件为基数；写在检索式中的筛选（lang:en）"
                       "只限定该检索式的匹配。",
        "trend_link": "历年趋势",
        "download_csv": "CSV",
        "download_json": "JSON",
        "download_jsonl": "JSON Lines",
        "download_label": "下载",
        "facet_country": "国家",
        "cite_button": "复制引文",
        "cite_copied": "已复制",
        "cite_link": "第 {n} 段的链接",
        "cite_paragraph": "第{n}段",
    },
}
