
use builtin;
use str;

set edit:completion:arg-completer[smtpcode] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'smtpcode'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'smtpcode'= {
            cand --top 'Rows per table of --summary (statuses, domains, days, hosts, diagnostics) [default: 10]. --json --summary has every row but the diagnostics'
            cand --color 'When to colour the output: auto colours a terminal unless NO_COLOR is set or TERM=dumb'
            cand --lang 'Language of the explanations: en, it, fr, de or es. Default: SMTPCODE_LANG, LANGUAGE, LC_ALL, LC_MESSAGES, LANG (de_DE.UTF-8, es_MX ...), then English'
            cand --ledger 'Record every verdict of the inputs into a bounce ledger, and print what is printed without it: a SQLite file (created on first use), or a postgres:// URL for a fleet writing one ledger. The same record fed twice counts once. See --suppressed'
            cand --as-of 'The moment --suppressed answers for, past or future: YYYY-MM-DD (the end of that day, UTC) or RFC 3339 (2026-12-07T10:00:00Z) [default: now]'
            cand --policy 'A TOML file that sets the policy''s figures (soft bounces and days, reasons that suppress at once, expiry days, reasons ignored); the rest keep their defaults'
            cand --generate 'Print a shell completion script or the man page, then exit'
            cand --json 'Print one JSON document instead of text (never coloured, keys in English)'
            cand --json-lines 'Print one finding a line, as JSON, as it is found (NDJSON): the fields of a `--json` finding, in constant memory however long the log'
            cand --summary 'Print tables at the end instead of every finding: delivery attempts per class, status, recipient domain, day and remote host, and the most frequent diagnostics, the top 10 of each (see --top). With --json, as JSON'
            cand --recipients 'Print only the verdicts, one recipient a line: address, action, status, reply, reason, hard or soft, source, and the address the sender wrote where the bounce names another (original), tab-separated after a header line (for logs, the last verdict per address, at the end; with --line-buffered, each as its line arrives). With --json or --json-lines, the verdict objects'
            cand --why 'Under each verdict, say what it rests on: which report field, header or sentence of the bounce gave the address, the status and the reason, the words it read, the address the sender wrote, and where the bounce contradicts itself. JSON always carries this as each verdict''s "evidence"'
            cand --line-buffered 'Write each finding as soon as its input arrives (for `tail -f mail.log | smtpcode`, or as a filter under rsyslog or syslog-ng: see contrib/). Ends with status 0 on SIGTERM'
            cand --suppressed 'Print the addresses the ledger''s policy suppresses now (after recording the inputs, if any are given): address, original, since, reason, bounces, last status and why, tab-separated after a header line; with --json, one document'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
    ]
    $completions[$command]
}
