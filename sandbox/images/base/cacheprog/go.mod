module grader.local/cacheprog

go 1.24
