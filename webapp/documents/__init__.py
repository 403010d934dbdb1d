"""Documents people read and print — notices, the district's 推荐函, the 汇总表 — rendered from templates
the process owner keeps in the rule package (lists of {value: part, label: text}) and set as PDF."""
