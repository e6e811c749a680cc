module github.com/atriumhq/atrium

go 1.26.8
