
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'smtpcode' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'smtpcode'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'smtpcode' {
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'Rows per table of --summary (statuses, domains, days, hosts, diagnostics) [default: 10]. --json --summary has every row but the diagnostics')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Language of the explanations: en, it, fr, de or es. Default: SMTPCODE_LANG, LANGUAGE, LC_ALL, LC_MESSAGES, LANG (de_DE.UTF-8, es_MX ...), then English')
            [CompletionResult]::new('--ledger', '--ledger', [CompletionResultType]::ParameterName, 'Record every verdict of the inputs into a bounce ledger, and print what is printed without it: a SQLite file (created on first use), or a postgres:// URL for a fleet writing one ledger. The same record fed twice counts once. See --suppressed')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'The moment --suppressed answers for, past or future: YYYY-MM-DD (the end of that day, UTC) or RFC 3339 (2026-12-07T10:00:00Z) [default: now]')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'A TOML file that sets the policy''s figures (soft bounces and days, reasons that suppress at once, expiry days, reasons ignored); the rest keep their defaults')
            [CompletionResult]::new('--generate', '--generate', [CompletionResultType]::ParameterName, 'Print a shell completion script or the man page, then exit')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document instead of text (never coloured, keys in English)')
            [CompletionResult]::new('--json-lines', '--json-lines', [CompletionResultType]::ParameterName, 'Print one finding a line, as JSON, as it is found (NDJSON): the fields of a `--json` finding, in constant memory however long the log')
            [CompletionResult]::new('--summary', '--summary', [CompletionResultType]::ParameterName, 'Print tables at the end instead of every finding: delivery attempts per class, status, recipient domain, day and remote host, and the most frequent diagnostics, the top 10 of each (see --top). With --json, as JSON')
            [CompletionResult]::new('--recipients', '--recipients', [CompletionResultType]::ParameterName, 'Print only the verdicts, one recipient a line: address, action, status, reply, reason, hard or soft, source, and the address the sender wrote where the bounce names another (original), tab-separated after a header line (for logs, the last verdict per address, at the end; with --line-buffered, each as its line arrives). With --json or --json-lines, the verdict objects')
            [CompletionResult]::new('--why', '--why', [CompletionResultType]::ParameterName, 'Under each verdict, say what it rests on: which report field, header or sentence of the bounce gave the address, the status and the reason, the words it read, the address the sender wrote, and where the bounce contradicts itself. JSON always carries this as each verdict''s "evidence"')
            [CompletionResult]::new('--line-buffered', '--line-buffered', [CompletionResultType]::ParameterName, 'Write each finding as soon as its input arrives (for `tail -f mail.log | smtpcode`, or as a filter under rsyslog or syslog-ng: see contrib/). Ends with status 0 on SIGTERM')
            [CompletionResult]::new('--suppressed', '--suppressed', [CompletionResultType]::ParameterName, 'Print the addresses the ledger''s policy suppresses now (after recording the inputs, if any are given): address, original, since, reason, bounces, last status and why, tab-separated after a header line; with --json, one document')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
