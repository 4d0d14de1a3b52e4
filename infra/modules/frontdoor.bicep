metadata description = 'Optional Azure Front Door (Standard) in front of the function app: a WAF policy with a per-client rate limit that holds across instances, and access restrictions so the app accepts only this profile\'s traffic.'

import { resourceTags } from 'common.bicep'

@description('Name of the Front Door profile.')
param profileName string

@description('Name of the Front Door endpoint (part of its host name).')
param endpointName string

@description('Name of the WAF policy (letters and digits only).')
param wafPolicyName string

@description('Name of the function app behind Front Door.')
param functionAppName string

@description('Default host name of the function app (the origin).')
param originHostName string

@description('Requests one client IP may send per minute, across all instances, before Front Door answers 429.')
@minValue(10)
param rateLimitPerMinute int

@description('Tags applied to every resource.')
param tags resourceTags

resource profile 'Microsoft.Cdn/profiles@2024-02-01' = {
  name: profileName
  location: 'global'
  tags: tags
  sku: {
    name: 'Standard_AzureFrontDoor'
  }
}

resource wafPolicy 'Microsoft.Network/FrontDoorWebApplicationFirewallPolicies@2024-02-01' = {
  name: wafPolicyName
  location: 'global'
  tags: tags
  sku: {
    name: 'Standard_AzureFrontDoor'
  }
  properties: {
    policySettings: {
      enabledState: 'Enabled'
      mode: 'Prevention'
    }
    customRules: {
      rules: [
        {
          // The app's own limits live in each instance's memory; this one holds whatever the instance count.
          name: 'PerClientRateLimit'
          priority: 100
          enabledState: 'Enabled'
          ruleType: 'RateLimitRule'
          rateLimitDurationInMinutes: 1
          rateLimitThreshold: rateLimitPerMinute
          groupBy: [
            {
              variableName: 'SocketAddr'
            }
          ]
          matchConditions: [
            {
              matchVariable: 'RequestUri'
              operator: 'Contains'
              matchValue: [
                '/api/'
              ]
            }
          ]
          action: 'Block'
        }
      ]
    }
  }
}

resource endpoint 'Microsoft.Cdn/profiles/afdEndpoints@2024-02-01' = {
  parent: profile
  name: endpointName
  location: 'global'
  tags: tags
  properties: {
    enabledState: 'Enabled'
  }
}

resource originGroup 'Microsoft.Cdn/profiles/originGroups@2024-02-01' = {
  parent: profile
  name: 'functions'
  properties: {
    loadBalancingSettings: {
      sampleSize: 4
      successfulSamplesRequired: 3
      additionalLatencyInMilliseconds: 50
    }
    healthProbeSettings: {
      probePath: '/api/health'
      probeRequestType: 'GET'
      probeProtocol: 'Https'
      probeIntervalInSeconds: 100
    }
  }
}

resource origin 'Microsoft.Cdn/profiles/originGroups/origins@2024-02-01' = {
  parent: originGroup
  name: 'function-app'
  properties: {
    hostName: originHostName
    originHostHeader: originHostName
    httpsPort: 443
    priority: 1
    weight: 1000
    enabledState: 'Enabled'
    enforceCertificateNameCheck: true
  }
}

resource route 'Microsoft.Cdn/profiles/afdEndpoints/routes@2024-02-01' = {
  parent: endpoint
  name: 'api'
  dependsOn: [
    origin // a route needs an origin in its group
  ]
  properties: {
    originGroup: {
      id: originGroup.id
    }
    supportedProtocols: [
      'Https'
    ]
    patternsToMatch: [
      '/*'
    ]
    forwardingProtocol: 'HttpsOnly'
    httpsRedirect: 'Disabled'
    linkToDefaultDomain: 'Enabled'
  }
}

resource securityPolicy 'Microsoft.Cdn/profiles/securityPolicies@2024-02-01' = {
  parent: profile
  name: 'waf'
  properties: {
    parameters: {
      type: 'WebApplicationFirewall'
      wafPolicy: {
        id: wafPolicy.id
      }
      associations: [
        {
          domains: [
            {
              id: endpoint.id
            }
          ]
          patternsToMatch: [
            '/*'
          ]
        }
      ]
    }
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

// Only this profile's traffic: the service tag admits every Front Door, the X-Azure-FDID header only ours
// (https://learn.microsoft.com/azure/app-service/overview-access-restrictions#restrict-access-to-a-specific-azure-front-door-instance).
// The deployment (SCM) site keeps its own, unrestricted rules: publishing authenticates with Entra ID.
resource accessRestrictions 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'web'
  properties: {
    ipSecurityRestrictionsDefaultAction: 'Deny'
    ipSecurityRestrictions: [
      {
        name: 'FrontDoor'
        priority: 100
        action: 'Allow'
        tag: 'ServiceTag'
        ipAddress: 'AzureFrontDoor.Backend'
        headers: {
          'x-azure-fdid': [
            profile.properties.frontDoorId
          ]
        }
      }
    ]
    scmIpSecurityRestrictionsUseMain: false
  }
}

@description('Host name of the Front Door endpoint (point the custom domain\'s CNAME here).')
output endpointHostName string = endpoint.properties.hostName

@description('The profile\'s Front Door id, sent as X-Azure-FDID.')
output frontDoorId string = profile.properties.frontDoorId
