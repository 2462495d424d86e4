"""Paper-style reports from stored runs: results tables (Markdown, LaTeX, CSV), charts, evidence
pages and the meta-evaluation report."""
