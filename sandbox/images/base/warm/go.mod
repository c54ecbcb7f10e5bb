module grader.local/warm

go 1.22
