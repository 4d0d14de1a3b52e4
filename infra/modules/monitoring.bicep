metadata description = 'Log Analytics workspace and the workspace-based Application Insights component the function app reports to.'

import { resourceTags } from 'common.bicep'

@description('Azure region of the resources.')
param location string

@description('Name of the Log Analytics workspace.')
param logAnalyticsName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Days Log Analytics keeps the data.')
@minValue(30)
@maxValue(730)
param retentionInDays int

@description('Daily ingestion cap of the workspace, in GB: past it, ingestion stops until the next day, so a flood of requests cannot become a bill.')
@minValue(1)
param dailyQuotaGb int

@description('Tags applied to every resource.')
param tags resourceTags

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    workspaceCapping: {
      dailyQuotaGb: dailyQuotaGb
    }
    features: {
      enableLogAccessUsingOnlyResourcePermissions: true
    }
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    IngestionMode: 'LogAnalytics'
    // Telemetry only from Microsoft Entra identities (the app's, with Monitoring Metrics Publisher): the
    // instrumentation key in the connection string alone no longer lets anyone write.
    DisableLocalAuth: true
  }
}

@description('Name of the Application Insights component (the connection string is read where it is used, not passed around).')
output applicationInsightsName string = applicationInsights.name

@description('Resource id of the Log Analytics workspace, for diagnostic settings.')
output logAnalyticsWorkspaceId string = logAnalytics.id
