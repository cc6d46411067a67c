complete -c smtpcode -l top -d 'Rows per table of --summary (statuses, domains, days, hosts, diagnostics) [default: 10]. --json --summary has every row but the diagnostics' -r
complete -c smtpcode -l color -d 'When to colour the output: auto colours a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c smtpcode -l lang -d 'Language of the explanations: en, it, fr, de or es. Default: SMTPCODE_LANG, LANGUAGE, LC_ALL, LC_MESSAGES, LANG (de_DE.UTF-8, es_MX ...), then English' -r
complete -c smtpcode -l ledger -d 'Record every verdict of the inputs into a bounce ledger, and print what is printed without it: a SQLite file (created on first use), or a postgres:// URL for a fleet writing one ledger. The same record fed twice counts once. See --suppressed' -r
complete -c smtpcode -l as-of -d 'The moment --suppressed answers for, past or future: YYYY-MM-DD (the end of that day, UTC) or RFC 3339 (2026-12-07T10:00:00Z) [default: now]' -r
complete -c smtpcode -l policy -d 'A TOML file that sets the policy\'s figures (soft bounces and days, reasons that suppress at once, expiry days, reasons ignored); the rest keep their defaults' -r -F
complete -c smtpcode -l generate -d 'Print a shell completion script or the man page, then exit' -r -f -a "complete-bash\t''
complete-zsh\t''
complete-fish\t''
complete-powershell\t''
complete-elvish\t''
man\t''"
complete -c smtpcode -l json -d 'Print one JSON document instead of text (never coloured, keys in English)'
complete -c smtpcode -l json-lines -d 'Print one finding a line, as JSON, as it is found (NDJSON): the fields of a `--json` finding, in constant memory however long the log'
complete -c smtpcode -l summary -d 'Print tables at the end instead of every finding: delivery attempts per class, status, recipient domain, day and remote host, and the most frequent diagnostics, the top 10 of each (see --top). With --json, as JSON'
complete -c smtpcode -l recipients -d 'Print only the verdicts, one recipient a line: address, action, status, reply, reason, hard or soft, source, and the address the sender wrote where the bounce names another (original), tab-separated after a header line (for logs, the last verdict per address, at the end; with --line-buffered, each as its line arrives). With --json or --json-lines, the verdict objects'
complete -c smtpcode -l why -d 'Under each verdict, say what it rests on: which report field, header or sentence of the bounce gave the address, the status and the reason, the words it read, the address the sender wrote, and where the bounce contradicts itself. JSON always carries this as each verdict\'s "evidence"'
complete -c smtpcode -l line-buffered -d 'Write each finding as soon as its input arrives (for `tail -f mail.log | smtpcode`, or as a filter under rsyslog or syslog-ng: see contrib/). Ends with status 0 on SIGTERM'
complete -c smtpcode -l suppressed -d 'Print the addresses the ledger\'s policy suppresses now (after recording the inputs, if any are given): address, original, since, reason, bounces, last status and why, tab-separated after a header line; with --json, one document'
complete -c smtpcode -s h -l help -d 'Print help'
complete -c smtpcode -s V -l version -d 'Print version'
