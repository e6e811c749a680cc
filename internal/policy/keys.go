package policy

import "strings"

// keyType is the type of a global condition key
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
type keyType uint8

const (
	keyUnknown keyType = iota
	keyString
	keyARN
	keyBool
	keyNumeric
	keyDate
	keyIP
	keyEpoch // aws:EpochTime: Date or Numeric
)

type keyInfo struct {
	typ   keyType
	multi bool
}

// globalKeys lists the global condition keys Validate knows, lowercased.
var globalKeys = map[string]keyInfo{
	"aws:username":                     {keyString, false},
	"aws:userid":                       {keyString, false},
	"aws:principalarn":                 {keyARN, false},
	"aws:principalaccount":             {keyString, false},
	"aws:principalorgid":               {keyString, false},
	"aws:principalorgpaths":            {keyString, true},
	"aws:principaltype":                {keyString, false},
	"aws:principalisawsservice":        {keyBool, false},
	"aws:principalservicename":         {keyString, false},
	"aws:principalservicenameslist":    {keyString, true},
	"aws:requestedregion":              {keyString, false},
	"aws:sourcevpc":                    {keyString, false},
	"aws:sourcevpce":                   {keyString, false},
	"aws:sourceaccount":                {keyString, false},
	"aws:sourcearn":                    {keyARN, false},
	"aws:sourceorgid":                  {keyString, false},
	"aws:sourceorgpaths":               {keyString, true},
	"aws:sourceidentity":               {keyString, false},
	"aws:sourceip":                     {keyIP, false},
	"aws:vpcsourceip":                  {keyIP, false},
	"aws:resourceaccount":              {keyString, false},
	"aws:resourceorgid":                {keyString, false},
	"aws:resourceorgpaths":             {keyString, true},
	"aws:federatedprovider":            {keyString, false},
	"aws:referer":                      {keyString, false},
	"aws:useragent":                    {keyString, false},
	"aws:calledvia":                    {keyString, true},
	"aws:calledviafirst":               {keyString, false},
	"aws:calledvialast":                {keyString, false},
	"aws:viaawsservice":                {keyBool, false},
	"aws:securetransport":              {keyBool, false},
	"aws:multifactorauthpresent":       {keyBool, false},
	"aws:multifactorauthage":           {keyNumeric, false},
	"aws:currenttime":                  {keyDate, false},
	"aws:epochtime":                    {keyEpoch, false},
	"aws:tokenissuetime":               {keyDate, false},
	"aws:tagkeys":                      {keyString, true},
	"aws:ec2instancesourcevpc":         {keyString, false},
	"aws:ec2instancesourceprivateipv4": {keyIP, false},
}

// lookupKey returns what Validate knows of a condition key.
func lookupKey(key string) (keyInfo, bool) {
	k := strings.ToLower(key)
	if info, ok := globalKeys[k]; ok {
		return info, true
	}
	for _, p := range []string{"aws:requesttag/", "aws:resourcetag/", "aws:principaltag/"} {
		if strings.HasPrefix(k, p) {
			return keyInfo{typ: keyString}, true
		}
	}
	return keyInfo{}, false
}

// fits reports whether an operator family suits a key type.
func (t keyType) fits(f family) bool {
	if f == famNull {
		return true
	}
	switch t {
	case keyString:
		return f == famString || f == famStringIgnoreCase || f == famStringLike
	case keyARN:
		return f == famArn || f == famString || f == famStringIgnoreCase || f == famStringLike
	case keyBool:
		return f == famBool
	case keyNumeric:
		return f == famNumeric
	case keyDate:
		return f == famDate
	case keyEpoch:
		return f == famDate || f == famNumeric
	case keyIP:
		return f == famIP
	}
	return true
}

func (t keyType) String() string {
	switch t {
	case keyString:
		return "String"
	case keyARN:
		return "ARN"
	case keyBool:
		return "Bool"
	case keyNumeric:
		return "Numeric"
	case keyDate:
		return "Date"
	case keyEpoch:
		return "Date or Numeric"
	case keyIP:
		return "IP address"
	}
	return "unknown"
}
