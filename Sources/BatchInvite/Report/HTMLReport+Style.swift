/// The HTML report's own style and script, and the Content-Security-Policy that allows
/// them (by their SHA-256 hashes) and nothing else.
extension HTMLReport {
    static let style = """
        :root{color-scheme:light}\
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;\
        max-width:76rem;padding:0 1rem;color:#1b1b1b;background:#fff}\
        h1{font-size:1.5rem;margin:0 0 .25rem;overflow-wrap:anywhere}\
        h2{font-size:1.15rem;margin:2rem 0 .5rem;border-bottom:1px solid #ddd;padding-bottom:.25rem}\
        .verdict{font-size:1.1rem;font-weight:600;padding:.5rem .75rem;border-radius:4px;margin:.5rem 0 1rem}\
        .verdict.good{background:#e8f5e9;color:#1b5e20}.verdict.bad{background:#fdecea;color:#8e1b1b}\
        dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:0}\
        dl.facts dt{color:#555}dl.facts dd{margin:0;overflow-wrap:anywhere}\
        svg.bar{width:100%;height:24px;display:block;margin:.5rem 0}\
        table{border-collapse:collapse;width:100%;margin:.5rem 0}\
        th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eee;vertical-align:top}\
        td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
        table.counts{width:auto}td.label,#rows td{overflow-wrap:anywhere}td.places{color:#555}\
        table.groups td:first-child,#rows td:nth-child(4){white-space:nowrap}\
        .swatch{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.4em;\
        vertical-align:-.05em}\
        .swatch,svg{print-color-adjust:exact;-webkit-print-color-adjust:exact}\
        .s-valid,.s-invited{fill:#2e7d32;background:#2e7d32}\
        .s-already_invited{fill:#81c784;background:#81c784}\
        .s-invalid{fill:#c62828;background:#c62828}.s-duplicate{fill:#f9a825;background:#f9a825}\
        .s-failed{fill:#ad1457;background:#ad1457}.s-not_sent{fill:#9e9e9e;background:#9e9e9e}\
        .s-in_doubt{fill:#ef6c00;background:#ef6c00}.s-skipped{fill:#b0bec5;background:#b0bec5}.s-invited_twice{background:#6a1b9a}\
        .s-would_send{fill:#1565c0;background:#1565c0}.s-would_reinvite{fill:#5e35b1;background:#5e35b1}\
        .s-done{fill:#a5d6a7;background:#a5d6a7}.s-over_limit{fill:#78909c;background:#78909c}\
        svg.chart{width:100%;height:auto;display:block}svg.chart text{font-size:11px;fill:#444}\
        .axis{stroke:#999;stroke-width:1}.grid{stroke:#eee;stroke-width:1}\
        .c-invited{fill:#2e7d32}.c-throttled{fill:#c62828}\
        .c-retries{fill:none;stroke:#ef6c00;stroke-width:1.5}\
        .c-rate{fill:none;stroke:#1565c0;stroke-width:1.5;stroke-dasharray:5 3}\
        .c-run{stroke:#555;stroke-width:1;stroke-dasharray:2 3}\
        .legend{margin:.25rem 0}.legend span{margin-right:1.2rem;white-space:nowrap}\
        .key{display:inline-block;width:1.4em;height:.3em;vertical-align:.2em;margin-right:.35em}\
        .k-invited{background:#2e7d32;height:.8em;vertical-align:-.05em}\
        .k-throttled{background:#c62828;height:.8em;vertical-align:-.05em}\
        .k-retries{background:#ef6c00}.k-rate{background:#1565c0}\
        .none,.more{color:#555}footer{margin:2rem 0 1rem;color:#666;font-size:.85rem}\
        @media print{body{margin:0;max-width:none}.filter{display:none}h2{break-after:avoid}\
        tr{break-inside:avoid}}
        """

    /// Shows the filter box and hides the rows that do not contain its text.
    static let script = """
        (function(){var f=document.getElementById("filter");if(!f)return;f.hidden=false;\
        var rows=document.querySelectorAll("#rows tbody tr");f.addEventListener("input",\
        function(){var q=f.value.toLowerCase();for(var i=0;i<rows.length;i++){var r=rows[i];\
        r.hidden=q!==""&&r.textContent.toLowerCase().indexOf(q)<0;}});})();
        """

    /// Nothing from anywhere: only this page's own style and script, by their hashes.
    static let policy =
        "default-src 'none'; style-src 'sha256-\(SHA256.base64Digest(style))'; "
        + "script-src 'sha256-\(SHA256.base64Digest(script))'; img-src 'none'; "
        + "base-uri 'none'; form-action 'none'"
}
