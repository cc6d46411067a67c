complete -c smtpcode -l color -d 'When to colour the output: auto colours a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c smtpcode -l lang -d 'Language of the explanations: en, it or fr. Default: SMTPCODE_LANG, LANGUAGE, LC_ALL, LC_MESSAGES, LANG, then English' -r
complete -c smtpcode -l generate -d 'Print a shell completion script or the man page, then exit' -r -f -a "complete-bash\t''
complete-zsh\t''
complete-fish\t''
complete-powershell\t''
complete-elvish\t''
man\t''"
complete -c smtpcode -l json -d 'Print one JSON document instead of text (never coloured, keys in English)'
complete -c smtpcode -s h -l help -d 'Print help'
complete -c smtpcode -s V -l version -d 'Print version'
